import { SPAWN_MARKER, SUPERVISOR_MARKER } from '../process/supervised-marker.js';
import type { ServiceDefinition } from '../types.js';

/** What a service with `inheritEnv: false` keeps of the daemon's environment. */
export const MINIMAL_ENV_KEYS = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];

/**
 * Pure: the environment an instance starts with. Later entries win: the
 * daemon's own environment (or, with inheritEnv: false, only
 * MINIMAL_ENV_KEYS of it), then the envFile, then the definition's `env`, then
 * what apictl promises every child (PORT, APICTL_NAME, APICTL_INSTANCE) and,
 * last so no user env can drop them, the markers a new daemon finds its
 * processes by (APICTL_SUPERVISOR_HOME, APICTL_SPAWN_ID).
 */
export function instanceEnv(options: {
  base: Record<string, string>;
  fromFile: Record<string, string>;
  definition: Pick<ServiceDefinition, 'name' | 'env' | 'inheritEnv'>;
  port: number | null;
  index: number;
  spawnId: string;
}): Record<string, string> {
  const { base, fromFile, definition, port, index, spawnId } = options;
  const inherited = definition.inheritEnv === false ? pick(base, MINIMAL_ENV_KEYS) : base;
  return {
    ...inherited,
    // Python block-buffers stdout on a pipe: lines would arrive late and in lumps.
    PYTHONUNBUFFERED: '1',
    ...fromFile,
    ...definition.env,
    ...(port === null ? {} : { PORT: String(port) }),
    APICTL_NAME: definition.name,
    APICTL_INSTANCE: String(index),
    [SUPERVISOR_MARKER]: base[SUPERVISOR_MARKER] ?? '',
    [SPAWN_MARKER]: spawnId,
  };
}

function pick(env: Record<string, string>, keys: string[]): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const key of keys) if (env[key] !== undefined) kept[key] = env[key]!;
  return kept;
}

import { SUPERVISOR_MARKER } from '../process/supervised-marker.js';
import type { ServiceDefinition } from '../types.js';

/**
 * Pure: the environment an instance starts with. Later entries win: the
 * daemon's own environment, then the envFile, then the definition's `env`,
 * then what apictl promises every child (PORT, APICTL_NAME, APICTL_INSTANCE)
 * and, last so no user env can drop it, the marker a new daemon finds
 * leftovers by.
 */
export function instanceEnv(options: {
  base: Record<string, string>;
  fromFile: Record<string, string>;
  definition: Pick<ServiceDefinition, 'name' | 'env'>;
  port: number | null;
  index: number;
}): Record<string, string> {
  const { base, fromFile, definition, port, index } = options;
  return {
    ...base,
    // Python block-buffers stdout on a pipe: lines would arrive late and in lumps.
    PYTHONUNBUFFERED: '1',
    ...fromFile,
    ...definition.env,
    ...(port === null ? {} : { PORT: String(port) }),
    APICTL_NAME: definition.name,
    APICTL_INSTANCE: String(index),
    [SUPERVISOR_MARKER]: base[SUPERVISOR_MARKER] ?? '',
  };
}

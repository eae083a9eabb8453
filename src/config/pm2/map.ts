import { NO_EQUIVALENT } from './notes.js';

// pm2 ecosystem apps → apictl services: pure, one table. Every field either
// maps, or is named in a warning saying what apictl does instead.

export interface Pm2Options {
  /** --env-profile: env_<profile> is applied over env. */
  envProfile?: string;
  /** For instances "max" (0) and negative counts (cores minus n). */
  cpuCount: number;
}

export interface Pm2Mapping {
  services: Record<string, unknown>[];
  warnings: string[];
}

type Out = Record<string, unknown>;
type Apply = (value: unknown, out: Out, warn: (message: string) => void, app: Record<string, unknown>, options: Pm2Options) => void;

const rename = (to: string): Apply => (value, out) => void (out[to] = value);

/** pm2 field → what it becomes. Fields absent here and from NO_EQUIVALENT get a generic warning. */
export const PM2_FIELDS: Record<string, Apply> = {
  name: rename('name'),
  script: rename('script'),
  args: rename('args'),
  cwd: rename('cwd'),
  interpreter: rename('interpreter'),
  exec_interpreter: rename('interpreter'),
  interpreter_args: rename('interpreterArgs'),
  node_args: rename('interpreterArgs'),
  max_memory_restart: rename('maxMemory'),
  kill_timeout: rename('killTimeout'),
  max_restarts: rename('maxRestarts'),
  cron_restart: rename('cronRestart'),
  watch: rename('watch'),
  ignore_watch: rename('ignore'),
  exp_backoff_restart_delay: rename('restartDelay'),
  restart_delay: (value, out, warn, app) => {
    if (app.exp_backoff_restart_delay !== undefined) return warn('restart_delay: exp_backoff_restart_delay is used instead (apictl backs off exponentially)');
    out.restartDelay = value;
    warn('restart_delay: apictl waits this long before the first restart after a quick crash, then doubles it (up to 30 s)');
  },
  instances: (value, out, warn, _app, { cpuCount }) => {
    const count = value === 'max' || value === 0 ? cpuCount : typeof value === 'number' && value < 0 ? cpuCount + value : value;
    out.instances = typeof count === 'number' ? Math.max(1, count) : count;
  },
  autorestart: (value, out) => {
    if (value === false) out.restart = 'never';
  },
  stop_exit_codes: (value, out, warn, app) => {
    if (app.autorestart === false) return;
    const codes = Array.isArray(value) ? value : [value];
    if (codes.includes(0)) out.restart = 'on-failure';
    const others = codes.filter((code) => code !== 0);
    if (others.length > 0) warn(`stop_exit_codes: apictl's restart: on-failure leaves only exit code 0 alone; ${others.join(', ')} will restart`);
  },
  env: () => undefined, // merged in mapPm2App, with env_<profile> and PORT
  exec_mode: (value, _out, warn) => {
    if (value !== 'fork' && value !== 'fork_mode') warn(`exec_mode: ${NO_EQUIVALENT.exec_mode}`);
  },
};

function mapEnv(app: Record<string, unknown>, out: Out, warn: (message: string) => void, profile: string | undefined): void {
  const env: Record<string, unknown> = { ...(isObject(app.env) ? app.env : {}) };
  if (profile) {
    const overlay = app[`env_${profile}`];
    if (isObject(overlay)) Object.assign(env, overlay);
    else warn(`env_${profile}: not in this app (--env-profile ${profile})`);
  }
  for (const key of Object.keys(app)) {
    if (key.startsWith('env_') && key !== `env_${profile}`) warn(`${key}: not applied (start or import with --env-profile ${key.slice(4)} to apply it)`);
  }
  // apictl gives each instance its PORT: a PORT in env is the service's port.
  if (env.PORT !== undefined) {
    const port = Number(env.PORT);
    out.port = Number.isInteger(port) ? port : env.PORT;
    delete env.PORT;
  }
  if (Object.keys(env).length > 0) out.env = env;
}

export function mapPm2App(app: Record<string, unknown>, options: Pm2Options, warn: (message: string) => void): Out {
  const out: Out = {};
  for (const [key, value] of Object.entries(app)) {
    if (value === undefined || key.startsWith('env_')) continue;
    const apply = PM2_FIELDS[key];
    if (apply) apply(value, out, warn, app, options);
    else warn(`${key}: ${NO_EQUIVALENT[key] ?? 'no apictl equivalent; left out'}`);
  }
  mapEnv(app, out, warn, options.envProfile);
  return out;
}

/** An ecosystem's `apps` → services, with one warning line per field left behind. */
export function mapPm2Apps(apps: unknown[], options: Pm2Options): Pm2Mapping {
  const warnings: string[] = [];
  const services = apps.map((app, index) => {
    if (!isObject(app)) {
      warnings.push(`apps[${index}]: not an object; left out`);
      return null;
    }
    const label = `apps[${index}]${typeof app.name === 'string' ? ` (${app.name})` : ''}`;
    return mapPm2App(app, options, (message) => warnings.push(`${label}: ${message}`));
  });
  return { services: services.filter((service): service is Out => service !== null), warnings };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

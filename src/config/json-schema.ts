import { z } from 'zod';
import { servicesFileSchema } from './schema.js';

// One line per field for editors' hover text; the README's table says more.
const FIELD_DOCS: Record<string, string> = {
  name: 'unique service name (default: the script name without extension)',
  script: 'path relative to this file, or a command on PATH',
  interpreter: 'program that runs the script (default by extension; "none" runs it directly)',
  interpreterArgs: "the interpreter's arguments",
  args: 'script arguments; {port} is replaced by the port',
  cwd: "working directory (default: this file's folder)",
  port: 'port number, or false for a service that listens on none (default: first free from 8000)',
  instances: "processes behind apictl's balancer, or {min, max} for autoscaling",
  env: 'environment variables',
  envFile: 'dotenv file read at every (re)start; env wins',
  inheritEnv: "pass the daemon's environment to the service",
  restart: 'restart policy',
  maxRestarts: 'quick crashes in a row before the service is errored',
  restartDelay: 'first backoff step after a quick crash (doubles up to 30 s)',
  killTimeout: 'wait after the stop signal before SIGKILL',
  stopSignal: 'signal that asks it to stop (default SIGINT for Rscript, else SIGTERM)',
  drainTimeout: 'how long draining an instance waits for its in-flight requests',
  health: 'HTTP path that answers 2xx when ready and healthy, or {path, interval, timeout, failures}',
  maxMemory: 'restart an instance whose memory grows above this',
  watch: 'restart on file changes (true: the cwd)',
  ignore: 'paths/globs the watcher ignores',
  logMaxSize: 'rotate a log file above this size',
  logKeep: 'rotated log files kept',
  logMaxLine: 'a longer line is written in pieces of this size',
  logDate: 'false: store lines without the timestamp prefix',
  accessLog: 'one line per request in the out log',
  cronRestart: 'restart on a schedule (5 or 6 cron fields)',
  maxInflight: 'requests in flight per instance; more wait in a queue, then 503',
  sticky: 'keep a client on one instance (cookie)',
  maxConnsPerInstance: 'autoscaling: connections one instance is meant to serve',
  loadFactor: 'autoscaling: start an instance above loadFactor × maxConnsPerInstance in flight per instance',
  idleTimeout: 'autoscaling: an instance idle this long is stopped (down to min)',
  coldStartTimeout: 'autoscaling: how long a request waits for the first instance',
};

type JsonObject = Record<string, unknown>;

/** services.schema.json, generated from the zod schema (`npm run schema` writes it; a unit test keeps it current). */
export function renderServicesJsonSchema(): string {
  const schema = z.toJSONSchema(servicesFileSchema, { io: 'input', unrepresentable: 'any' }) as JsonObject;
  const services = (schema.properties as Record<string, JsonObject>).services!;
  const fields = (services.items as JsonObject).properties as Record<string, JsonObject>;
  for (const [key, field] of Object.entries(fields)) {
    const doc = FIELD_DOCS[key];
    if (doc) field.description = field.description ? `${doc}; ${String(field.description)}` : doc;
  }
  return JSON.stringify({ ...schema, title: 'apictl services file' }, null, 2) + '\n';
}

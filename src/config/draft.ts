import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import type { ServiceDefinition } from '../types.js';
import { DEFAULT_AUTOSCALE, NAME_PATTERN, type ParsedService } from './schema.js';

/** A definition whose port may still be "auto" (first free from the base port). */
export type ServiceDraft = Omit<ServiceDefinition, 'port'> & { port: number | null | 'auto' };

export interface FileProbe {
  isFile(path: string): boolean;
  /** Absolute path of `command` found on PATH, or null. */
  which(command: string): string | null;
}

const AUTOSCALE_FIELDS = ['maxConnsPerInstance', 'loadFactor', 'idleTimeout', 'coldStartTimeout'] as const;

/** A parsed entry → a draft with absolute paths; problems go to `fail` (field, message). */
export function toDraft(service: ParsedService, baseDir: string, probe: FileProbe, fail: (key: string, message: string) => void): ServiceDraft | null {
  let failed = false;
  const report = (key: string, message: string) => {
    failed = true;
    fail(key, message);
  };
  const cwd = service.cwd ? resolve(baseDir, service.cwd) : baseDir;
  const script = resolveScript(service.script, baseDir, probe);
  if (!script) report('script', `file not found: ${service.script} (looked in ${baseDir}${service.script.includes('/') ? '' : ' and on PATH'})`);
  const envFile = service.envFile ? resolve(baseDir, service.envFile) : undefined;
  if (envFile && !probe.isFile(envFile)) report('envFile', `file not found: ${envFile}`);
  const name = service.name ?? defaultName(service.script);
  if (!NAME_PATTERN.test(name)) report('name', `cannot derive a valid name from "${service.script}"; give one with --name or "name"`);
  if (service.interpreter === 'none' && service.interpreterArgs.length > 0) report('interpreterArgs', 'cannot be used with interpreter "none"');
  const range = typeof service.instances === 'number' ? null : service.instances;
  if (!range) for (const key of AUTOSCALE_FIELDS) if (service[key] !== undefined) report(key, 'only applies with instances: {min, max}');
  if (range && service.port === false) report('instances', 'autoscaling ({min, max}) needs a port: apictl measures the load on it');
  if (failed || !script) return null;
  return {
    name,
    script,
    interpreter: service.interpreter,
    interpreterArgs: service.interpreterArgs,
    args: service.args,
    cwd,
    port: service.port === false ? null : (service.port ?? 'auto'),
    // Autoscaling starts with min instances (none for min 0: the first request starts one).
    instances: range ? range.min : (service.instances as number),
    env: service.env,
    envFile,
    inheritEnv: service.inheritEnv,
    restart: service.restart,
    maxRestarts: service.maxRestarts,
    restartDelayMs: service.restartDelay,
    killTimeoutMs: service.killTimeout,
    stopSignal: service.stopSignal,
    drainTimeoutMs: service.drainTimeout,
    health: service.health,
    maxMemoryBytes: service.maxMemory,
    watch: service.watch && service.watch.length > 0 ? service.watch.map((path) => resolve(cwd, path)) : undefined,
    ignore: service.ignore,
    logMaxBytes: service.logMaxSize,
    logKeep: service.logKeep,
    logMaxLineBytes: service.logMaxLine,
    logDate: service.logDate,
    accessLog: service.accessLog,
    trustProxy: service.trustProxy,
    headerTimeoutMs: service.headerTimeout,
    keepAliveTimeoutMs: service.keepAliveTimeout,
    connectTimeoutMs: service.connectTimeout,
    upstreamTimeoutMs: service.upstreamTimeout,
    sendTimeoutMs: service.sendTimeout,
    queueTimeoutMs: service.queueTimeout,
    queueLimit: service.queueLimit,
    cronRestart: service.cronRestart,
    maxInflight: service.maxInflight,
    sticky: service.sticky,
    autoscale: range
      ? {
          min: range.min,
          max: range.max,
          maxConnsPerInstance: service.maxConnsPerInstance ?? DEFAULT_AUTOSCALE.maxConnsPerInstance,
          loadFactor: service.loadFactor ?? DEFAULT_AUTOSCALE.loadFactor,
          idleTimeoutMs: service.idleTimeout ?? DEFAULT_AUTOSCALE.idleTimeoutMs,
          coldStartTimeoutMs: service.coldStartTimeout ?? DEFAULT_AUTOSCALE.coldStartTimeoutMs,
        }
      : undefined,
  };
}

function resolveScript(script: string, baseDir: string, probe: FileProbe): string | null {
  const candidate = isAbsolute(script) ? script : join(baseDir, script);
  if (probe.isFile(candidate)) return resolve(candidate);
  if (!script.includes('/')) return probe.which(script);
  return null;
}

export function defaultName(script: string): string {
  return basename(script, extname(script)).replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
}

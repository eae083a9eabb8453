import type { ServiceDefinition } from '../types.js';

// Writing stored entries needs no schema (zod): reading them back is
// stored-entries.ts, loaded only when there is something to read.

/**
 * Pure: a definition back in the services-file form (durations in ms, sizes
 * in bytes, `port: false` for none), so what apictl stores — state.json,
 * dump.json — is checked by the same schema as what users write.
 */
export function definitionToEntry(definition: ServiceDefinition): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    name: definition.name,
    script: definition.script,
    interpreter: definition.interpreter,
    interpreterArgs: definition.interpreterArgs,
    args: definition.args,
    cwd: definition.cwd,
    port: definition.port ?? false,
    instances: definition.autoscale ? { min: definition.autoscale.min, max: definition.autoscale.max } : definition.instances,
    maxConnsPerInstance: definition.autoscale?.maxConnsPerInstance,
    loadFactor: definition.autoscale?.loadFactor,
    idleTimeout: definition.autoscale?.idleTimeoutMs,
    coldStartTimeout: definition.autoscale?.coldStartTimeoutMs,
    env: definition.env,
    envFile: definition.envFile,
    restart: definition.restart,
    maxRestarts: definition.maxRestarts,
    restartDelay: definition.restartDelayMs,
    killTimeout: definition.killTimeoutMs,
    stopSignal: definition.stopSignal,
    health: definition.health && {
      path: definition.health.path,
      interval: definition.health.intervalMs,
      timeout: definition.health.timeoutMs,
      failures: definition.health.failures,
    },
    maxMemory: definition.maxMemoryBytes,
    watch: definition.watch,
    ignore: definition.ignore,
    logMaxSize: definition.logMaxBytes,
    logKeep: definition.logKeep,
    cronRestart: definition.cronRestart,
    maxInflight: definition.maxInflight,
    sticky: definition.sticky,
    logDate: definition.logDate,
    logMaxLine: definition.logMaxLineBytes,
    inheritEnv: definition.inheritEnv,
    drainTimeout: definition.drainTimeoutMs,
    accessLog: definition.accessLog,
    trustProxy: definition.trustProxy,
    headerTimeout: definition.headerTimeoutMs,
    keepAliveTimeout: definition.keepAliveTimeoutMs,
    connectTimeout: definition.connectTimeoutMs,
    upstreamTimeout: definition.upstreamTimeoutMs,
    sendTimeout: definition.sendTimeoutMs,
    queueTimeout: definition.queueTimeoutMs,
    queueLimit: definition.queueLimit,
  };
  for (const key of Object.keys(entry)) if (entry[key] === undefined) delete entry[key];
  return entry;
}

/** Files written by apictl 0.1 (state/dump version 1) held normalised definitions: they read as entries too. */
export function asStoredEntry(value: unknown): unknown {
  const candidate = value as Record<string, unknown> | null;
  const normalised = typeof candidate === 'object' && candidate !== null && 'killTimeoutMs' in candidate && typeof candidate.name === 'string' && Array.isArray(candidate.args);
  return normalised ? definitionToEntry(candidate as unknown as ServiceDefinition) : value;
}

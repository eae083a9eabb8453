import { isAbsolute, relative, sep } from 'node:path';
import { chooseInterpreter, defaultStopSignal } from '../process/interpreter.js';
import type { RouteTable, ServiceDefinition } from '../types.js';
import { detectRuntime } from './runtime.js';
import type { ExportAutoscale, ExportInput, ExportRoute, ExportRouteTable, ExportService } from './types.js';

// The one place that knows ServiceDefinition. Fields other work is still
// adding (SPEC §5, §9, §10) are read defensively here, so wiring one in is a
// change to this file only.

export const AUTOSCALE_DEFAULTS = { maxConnsPerInstance: 20, loadFactor: 0.5, idleTimeoutMs: 5 * 60_000, coldStartTimeoutMs: 60_000 };

type Loose = Record<string, unknown>;

const numberAt = (raw: Loose, ...keys: string[]): number | undefined => {
  for (const key of keys) if (typeof raw[key] === 'number' && Number.isFinite(raw[key])) return raw[key] as number;
  return undefined;
};
const booleanAt = (raw: Loose, key: string): boolean | undefined => (typeof raw[key] === 'boolean' ? (raw[key] as boolean) : undefined);

/** POSIX path of `path` inside `folder` (may start with "../" when it is outside). */
export function pathInside(folder: string, path: string): string {
  return relative(folder, path).split(sep).join('/') || '.';
}

function toInstances(definition: ServiceDefinition): number | ExportAutoscale {
  // A validated definition: `instances` is the count it starts with, `autoscale` the range.
  if (definition.autoscale) return { ...definition.autoscale };
  const raw = definition as unknown as Loose;
  const instances = raw.instances;
  if (typeof instances === 'number') return instances;
  const bounds = (typeof instances === 'object' && instances !== null ? instances : {}) as Loose;
  const min = numberAt(bounds, 'min') ?? 1;
  return {
    min,
    max: numberAt(bounds, 'max') ?? min,
    maxConnsPerInstance: numberAt(raw, 'maxConnsPerInstance') ?? AUTOSCALE_DEFAULTS.maxConnsPerInstance,
    loadFactor: numberAt(raw, 'loadFactor') ?? AUTOSCALE_DEFAULTS.loadFactor,
    idleTimeoutMs: numberAt(raw, 'idleTimeoutMs', 'idleTimeout') ?? AUTOSCALE_DEFAULTS.idleTimeoutMs,
    coldStartTimeoutMs: numberAt(raw, 'coldStartTimeoutMs', 'coldStartTimeout') ?? AUTOSCALE_DEFAULTS.coldStartTimeoutMs,
  };
}

/** Pure: one service as the renderers read it. `envFileValues` reads the envFile (the caller's I/O). */
export function toExportService(definition: ServiceDefinition, envFileValues: (path: string) => Record<string, string>): ExportService {
  const raw = definition as unknown as Loose;
  const interpreter = chooseInterpreter(definition.script, definition.interpreter);
  return {
    name: definition.name,
    runtime: detectRuntime(interpreter, definition.script),
    interpreter,
    interpreterArgs: definition.interpreterArgs,
    cwd: definition.cwd,
    script: definition.script,
    scriptInCwd: pathInside(definition.cwd, definition.script),
    args: definition.args,
    port: definition.port,
    instances: toInstances(definition),
    env: definition.env,
    envFile: definition.envFile
      ? { path: definition.envFile, pathInCwd: pathInside(definition.cwd, definition.envFile), values: envFileValues(definition.envFile) }
      : undefined,
    restart: definition.restart,
    maxRestarts: definition.maxRestarts,
    restartDelayMs: definition.restartDelayMs,
    stopSignal: definition.stopSignal ?? defaultStopSignal(interpreter),
    killTimeoutMs: definition.killTimeoutMs,
    drainTimeoutMs: numberAt(raw, 'drainTimeoutMs'),
    health: definition.health,
    maxMemoryBytes: definition.maxMemoryBytes,
    watch: definition.watch,
    cronRestart: definition.cronRestart,
    logMaxBytes: definition.logMaxBytes,
    logKeep: definition.logKeep,
    logMaxLineBytes: numberAt(raw, 'logMaxLineBytes', 'logMaxLine'),
    inheritEnv: booleanAt(raw, 'inheritEnv'),
    traffic: {
      maxInflight: definition.maxInflight,
      sticky: definition.sticky,
      accessLog: booleanAt(raw, 'accessLog'),
      trustProxy: raw.trustProxy,
      headerTimeoutMs: numberAt(raw, 'headerTimeoutMs'),
      keepAliveTimeoutMs: numberAt(raw, 'keepAliveTimeoutMs'),
      connectTimeoutMs: numberAt(raw, 'connectTimeoutMs'),
      responseTimeoutMs: numberAt(raw, 'responseTimeoutMs'),
    },
  };
}

/** A route's target: "service" today; {service, strip} once routes can strip their prefix. */
function toRoute(prefix: string, target: unknown, table: Loose): ExportRoute {
  if (typeof target === 'object' && target !== null) {
    const entry = target as Loose;
    return { prefix, service: String(entry.service ?? entry.name), strip: entry.strip === true };
  }
  return { prefix, service: String(target), strip: table.strip === true };
}

export function toExportRoutes(table: RouteTable): ExportRouteTable {
  const loose = table as unknown as Loose;
  return { port: table.port, routes: Object.entries(table.paths as Record<string, unknown>).map(([prefix, target]) => toRoute(prefix, target, loose)) };
}

/** Pure: what `export` renders, from the definitions and route tables (a services file's or the daemon's). */
export function toExportInput(
  definitions: ServiceDefinition[],
  routes: RouteTable[],
  options: { outDir: string; envFileValues: (path: string) => Record<string, string> },
): ExportInput {
  if (!isAbsolute(options.outDir)) throw new Error(`outDir must be absolute: ${options.outDir}`);
  return {
    // Name and port order, so the daemon's order never changes the bytes.
    services: definitions.map((definition) => toExportService(definition, options.envFileValues)).sort((a, b) => a.name.localeCompare(b.name)),
    routes: routes.map(toExportRoutes).sort((a, b) => a.port - b.port),
    outDir: options.outDir,
  };
}

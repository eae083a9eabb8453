import { isAbsolute, relative, sep } from 'node:path';
import { chooseInterpreter, defaultStopSignal } from '../process/interpreter.js';
import type { RouteTable, ServiceDefinition } from '../types.js';
import { detectRuntime } from './runtime.js';
import type { ExportInput, ExportRouteTable, ExportService } from './types.js';

// The one place that knows ServiceDefinition: the renderers read ExportService.

/** POSIX path of `path` inside `folder` (may start with "../" when it is outside). */
export function pathInside(folder: string, path: string): string {
  return relative(folder, path).split(sep).join('/') || '.';
}

/** Pure: one service as the renderers read it. `envFileValues` reads the envFile (the caller's I/O). */
export function toExportService(definition: ServiceDefinition, envFileValues: (path: string) => Record<string, string>): ExportService {
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
    // `instances` is the count to start with when autoscaling: the bounds are what export renders.
    instances: definition.autoscale ?? definition.instances,
    env: definition.env,
    envFile: definition.envFile
      ? { path: definition.envFile, pathInCwd: pathInside(definition.cwd, definition.envFile), values: envFileValues(definition.envFile) }
      : undefined,
    restart: definition.restart,
    maxRestarts: definition.maxRestarts,
    restartDelayMs: definition.restartDelayMs,
    stopSignal: definition.stopSignal ?? defaultStopSignal(interpreter),
    killTimeoutMs: definition.killTimeoutMs,
    drainTimeoutMs: definition.drainTimeoutMs,
    health: definition.health,
    maxMemoryBytes: definition.maxMemoryBytes,
    watch: definition.watch,
    cronRestart: definition.cronRestart,
    logMaxBytes: definition.logMaxBytes,
    logKeep: definition.logKeep,
    logMaxLineBytes: definition.logMaxLineBytes,
    inheritEnv: definition.inheritEnv,
    traffic: {
      maxInflight: definition.maxInflight,
      sticky: definition.sticky,
      accessLog: definition.accessLog,
      trustProxy: definition.trustProxy,
      headerTimeoutMs: definition.headerTimeoutMs,
      keepAliveTimeoutMs: definition.keepAliveTimeoutMs,
      connectTimeoutMs: definition.connectTimeoutMs,
      upstreamTimeoutMs: definition.upstreamTimeoutMs,
      sendTimeoutMs: definition.sendTimeoutMs,
      queueTimeoutMs: definition.queueTimeoutMs,
      queueLimit: definition.queueLimit,
    },
  };
}

/** `strip` is the table's: every prefix of a table strips, or none does. */
export function toExportRoutes(table: RouteTable): ExportRouteTable {
  const strip = table.strip === true;
  return { port: table.port, routes: Object.entries(table.paths).map(([prefix, service]) => ({ prefix, service, strip })) };
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

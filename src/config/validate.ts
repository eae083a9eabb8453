import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import type { z } from 'zod';
import type { RouteTable, ServiceDefinition } from '../types.js';
import {
  DEFAULT_KILL_TIMEOUT_MS, DEFAULT_MAX_RESTARTS, DEFAULT_RESTART_DELAY_MS, NAME_PATTERN,
  serviceSchema, servicesFileSchema, type ParsedService,
} from './schema.js';

/** A definition whose port may still be "auto" (first free from the base port). */
export type ServiceDraft = Omit<ServiceDefinition, 'port'> & { port: number | null | 'auto' };

export interface FileProbe {
  isFile(path: string): boolean;
  /** Absolute path of `command` found on PATH, or null. */
  which(command: string): string | null;
}

export type Validation = { ok: true; drafts: ServiceDraft[]; routes?: RouteTable } | { ok: false; issues: string[] };

export function validateServicesFile(raw: unknown, baseDir: string, probe: FileProbe): Validation {
  const top = servicesFileSchema.safeParse(raw);
  if (!top.success) return { ok: false, issues: formatIssues(top.error.issues, raw) };
  // Each service on its own, so a bad port in one does not hide a missing script in another.
  const issues: string[] = [];
  const parsed: Array<{ index: number; service: ParsedService }> = [];
  top.data.services.forEach((item, index) => {
    const result = serviceSchema.safeParse(item);
    if (result.success) parsed.push({ index, service: result.data });
    else issues.push(...formatIssues(result.error.issues, raw, ['services', index]));
  });
  const finished = finishDrafts(parsed, baseDir, probe, (index) => `services[${index}]`);
  if (!finished.ok) issues.push(...finished.issues);
  const routes = top.data.routes;
  if (routes) issues.push(...checkRoutes(routes, parsed));
  if (issues.length > 0 || !finished.ok) return { ok: false, issues };
  return routes ? { ...finished, routes } : finished;
}

/** One service from CLI flags; `baseDir` is the CLI's working directory. */
export function validateService(raw: unknown, baseDir: string, probe: FileProbe): Validation {
  const parsed = serviceSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, issues: formatIssues(parsed.error.issues, raw) };
  return finishDrafts([{ index: 0, service: parsed.data }], baseDir, probe, () => '');
}

function finishDrafts(
  services: Array<{ index: number; service: ParsedService }>,
  baseDir: string,
  probe: FileProbe,
  prefixOf: (index: number) => string,
): Validation {
  const issues: string[] = [];
  const drafts: ServiceDraft[] = [];
  const firstByName = new Map<string, number>();
  const firstByPort = new Map<number, number>();
  services.forEach(({ index, service }) => {
    const at = (key: string) => (prefixOf(index) ? `${prefixOf(index)}.${key}` : key);
    // Clashes are checked even when the entry has other problems: every issue at once.
    const name = service.name ?? defaultName(service.script);
    const sameName = firstByName.get(name);
    if (sameName !== undefined) issues.push(`${at('name')}: "${name}" is already used by ${prefixOf(sameName)}`);
    else firstByName.set(name, index);
    if (typeof service.port === 'number') {
      const samePort = firstByPort.get(service.port);
      if (samePort !== undefined) issues.push(`${at('port')}: ${service.port} is already used by ${prefixOf(samePort)}`);
      else firstByPort.set(service.port, index);
    }
    const draft = toDraft(service, baseDir, probe, (key, message) => issues.push(`${at(key)}: ${message}`));
    if (draft) drafts.push(draft);
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, drafts };
}

function toDraft(
  service: ParsedService,
  baseDir: string,
  probe: FileProbe,
  report: (key: string, message: string) => void,
): ServiceDraft | null {
  let failed = false;
  const fail = (key: string, message: string) => {
    failed = true;
    report(key, message);
  };
  const cwd = service.cwd ? resolve(baseDir, service.cwd) : baseDir;
  const script = resolveScript(service.script, baseDir, probe);
  if (!script) fail('script', `file not found: ${service.script} (looked in ${baseDir}${service.script.includes('/') ? '' : ' and on PATH'})`);
  const envFile = service.envFile ? resolve(baseDir, service.envFile) : undefined;
  if (envFile && !probe.isFile(envFile)) fail('envFile', `file not found: ${envFile}`);
  const name = service.name ?? defaultName(service.script);
  if (!NAME_PATTERN.test(name)) {
    fail('name', `cannot derive a valid name from "${service.script}"; give one with --name or "name"`);
  }
  if (service.interpreter === 'none' && service.interpreterArgs && service.interpreterArgs.length > 0) {
    fail('interpreterArgs', 'cannot be used with interpreter "none"');
  }
  if (failed || !script) return null;
  return {
    name,
    script,
    interpreter: service.interpreter,
    interpreterArgs: service.interpreterArgs ?? [],
    args: service.args ?? [],
    cwd,
    port: service.port === false ? null : (service.port ?? 'auto'),
    instances: service.instances ?? 1,
    env: service.env ?? {},
    envFile,
    restart: service.restart ?? 'always',
    maxRestarts: service.maxRestarts ?? DEFAULT_MAX_RESTARTS,
    restartDelayMs: service.restartDelay ?? DEFAULT_RESTART_DELAY_MS,
    killTimeoutMs: service.killTimeout ?? DEFAULT_KILL_TIMEOUT_MS,
    stopSignal: service.stopSignal,
    health: service.health,
    maxMemoryBytes: service.maxMemory,
    watch: service.watch && service.watch.length > 0 ? service.watch.map((path) => resolve(cwd, path)) : undefined,
    ignore: service.ignore,
    logMaxBytes: service.logMaxSize,
    logKeep: service.logKeep,
    cronRestart: service.cronRestart,
    maxInflight: service.maxInflight,
    sticky: service.sticky,
    logDate: service.logDate,
    drainTimeoutMs: service.drainTimeout,
    accessLog: service.accessLog,
    trustProxy: service.trustProxy,
    headerTimeoutMs: service.headerTimeout,
    keepAliveTimeoutMs: service.keepAliveTimeout,
    connectTimeoutMs: service.connectTimeout,
    upstreamTimeoutMs: service.upstreamTimeout,
    sendTimeoutMs: service.sendTimeout,
    queueTimeoutMs: service.queueTimeout,
    queueLimit: service.queueLimit,
  };
}

/** Routes must point at services of the same file, on a port none of them uses. */
function checkRoutes(routes: RouteTable, services: Array<{ index: number; service: ParsedService }>): string[] {
  const issues: string[] = [];
  const names = new Set(services.map(({ service }) => service.name ?? defaultName(service.script)));
  for (const [prefix, name] of Object.entries(routes.paths)) {
    if (!names.has(name)) issues.push(`routes.paths["${prefix}"]: no service named "${name}" in this file`);
  }
  for (const { index, service } of services) {
    if (service.port === routes.port) issues.push(`routes.port: ${routes.port} is also the port of services[${index}]`);
  }
  return issues;
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

function formatIssues(issues: z.core.$ZodIssue[], raw: unknown, prefix: PropertyKey[] = []): string[] {
  return issues.flatMap((issue) => {
    const fullPath = [...prefix, ...issue.path];
    const path = formatPath(fullPath);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${path ? `${path}: ` : ''}unknown field "${key}"`);
    }
    const value = valueAt(raw, fullPath);
    const where = path || 'file';
    if (value === undefined) return [`${where}: ${issue.code === 'custom' ? issue.message : 'required'} (missing)`];
    return [`${where}: ${issue.message}, got ${describe(value)}`];
  });
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, '');
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

import { z } from 'zod';
import { Cron } from 'croner';
import type { HealthCheck, RouteTable } from '../types.js';
import { parseDurationMs, parseSizeBytes } from './units.js';
import { parseTrustEntry } from '../balancer/trust-proxy.js';

export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const DEFAULT_KILL_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_RESTARTS = 10;
export const DEFAULT_RESTART_DELAY_MS = 100;
export const DEFAULT_HEALTH = { intervalMs: 10_000, timeoutMs: 5_000, failures: 3 };

/** A field that parses to T or reports `message` (the value is echoed by the formatter). */
function field<T>(message: string, parse: (value: unknown) => T | null) {
  return z.unknown().transform((value, ctx): T => {
    const parsed = parse(value);
    if (parsed === null) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return parsed;
  });
}

const nonEmptyString = (value: unknown) => (typeof value === 'string' && value.trim().length > 0 ? value : null);
const stringList = (value: unknown): string[] | null => {
  if (typeof value === 'string') return value.trim().length > 0 ? value.trim().split(/\s+/) : [];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  return null;
};
const integerIn = (min: number, max: number) => (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : null;

const HEALTH_KEYS = new Set(['path', 'interval', 'timeout', 'failures']);

/** "/health" or {path, interval, timeout, failures}; unknown keys refused like everywhere else. */
function parseHealth(value: unknown): HealthCheck | null {
  if (typeof value === 'string') return value.startsWith('/') ? { path: value, ...DEFAULT_HEALTH } : null;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const raw = value as Record<string, unknown>;
  if (!Object.keys(raw).every((key) => HEALTH_KEYS.has(key))) return null;
  if (typeof raw.path !== 'string' || !raw.path.startsWith('/')) return null;
  const intervalMs = raw.interval === undefined ? DEFAULT_HEALTH.intervalMs : parseDurationMs(raw.interval);
  const timeoutMs = raw.timeout === undefined ? DEFAULT_HEALTH.timeoutMs : parseDurationMs(raw.timeout);
  const failures = raw.failures === undefined ? DEFAULT_HEALTH.failures : integerIn(1, 100)(raw.failures);
  if (intervalMs === null || intervalMs < 100 || timeoutMs === null || timeoutMs < 1 || failures === null) return null;
  return { path: raw.path, intervalMs, timeoutMs, failures };
}

export const serviceSchema = z.strictObject({
  name: field('must start with a letter or digit and use only letters, digits, ".", "_", "-" (at most 64)', (v) =>
    typeof v === 'string' && NAME_PATTERN.test(v) ? v : null,
  ).optional(),
  script: field('must be a non-empty path', nonEmptyString),
  interpreter: field('must be a program name or path, or "none"', nonEmptyString).optional(),
  interpreterArgs: field('must be a string or an array of strings', stringList).optional(),
  args: field('must be a string or an array of strings', stringList).optional(),
  cwd: field('must be a non-empty path', nonEmptyString).optional(),
  port: field('must be 1..65535 (or false for a service without a port)', (v) =>
    v === false || v === null ? false : integerIn(1, 65535)(v),
  ).optional(),
  instances: field('must be a whole number from 1 to 64', integerIn(1, 64)).optional(),
  env: field('must be an object of strings, numbers or booleans', (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
    const entries = Object.entries(v);
    if (!entries.every(([, value]) => ['string', 'number', 'boolean'].includes(typeof value))) return null;
    return Object.fromEntries(entries.map(([key, value]) => [key, String(value)]));
  }).optional(),
  envFile: field('must be a non-empty path', nonEmptyString).optional(),
  restart: field('must be "always", "on-failure" or "never"', (v) =>
    v === 'always' || v === 'on-failure' || v === 'never' ? v : null,
  ).optional(),
  maxRestarts: field('must be a whole number from 1 to 1000', integerIn(1, 1000)).optional(),
  restartDelay: field('must be a duration like 100 or "100ms"', parseDurationMs).optional(),
  killTimeout: field('must be a duration like 5000 or "5s"', parseDurationMs).optional(),
  stopSignal: field('must be a signal name like "SIGTERM"', (v) =>
    typeof v === 'string' && /^SIG[A-Z0-9]+$/.test(v) ? v : null,
  ).optional(),
  health: field(
    'must be a path starting with "/" or {path, interval (>= 100 ms), timeout, failures (1..100)}',
    parseHealth,
  ).optional(),
  maxMemory: field('must be a size like 314572800 or "300M"', parseSizeBytes).optional(),
  watch: field('must be true, a path, or an array of paths/globs', (v) =>
    v === true ? ['.'] : v === false ? [] : stringList(v),
  ).optional(),
  ignore: field('must be a path or an array of paths/globs', stringList).optional(),
  logMaxSize: field('must be a size like 10485760 or "10M"', parseSizeBytes).optional(),
  logKeep: field('must be a whole number from 0 to 100', integerIn(0, 100)).optional(),
  cronRestart: field('must be a cron expression like "0 3 * * *" (5 or 6 fields)', parseCron).optional(),
  maxInflight: field('must be a whole number from 1 to 10000', integerIn(1, 10_000)).optional(),
  sticky: field('must be true or false', boolean).optional(),
  logDate: field('must be true or false', boolean).optional(),
  // Traffic (balancer and routes ports); defaults in src/balancer/traffic-settings.ts.
  drainTimeout: field('must be a duration like 30000 or "30s"', parseDurationMs).optional(),
  accessLog: field('must be true or false', boolean).optional(),
  trustProxy: field('must be an address or CIDR ("10.0.0.0/8", "::1", "loopback"), or an array of them', parseTrustList).optional(),
  headerTimeout: field('must be a duration of at least 100 ms, like "10s"', durationAtLeast(100)).optional(),
  keepAliveTimeout: field('must be a duration of at least 100 ms, like "5s"', durationAtLeast(100)).optional(),
  connectTimeout: field('must be a duration of at least 1 ms, like "5s"', durationAtLeast(1)).optional(),
  upstreamTimeout: field('must be a duration of at least 1 ms, like "60s"', durationAtLeast(1)).optional(),
  sendTimeout: field('must be a duration of at least 1 ms, like "30s"', durationAtLeast(1)).optional(),
  queueTimeout: field('must be a duration of at least 1 ms, like "30s"', durationAtLeast(1)).optional(),
  queueLimit: field('must be a whole number from 0 to 1000000', integerIn(0, 1_000_000)).optional(),
});

function durationAtLeast(minimumMs: number) {
  return (value: unknown) => {
    const ms = parseDurationMs(value);
    return ms !== null && ms >= minimumMs ? ms : null;
  };
}

function parseTrustList(value: unknown): string[] | null {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string' && parseTrustEntry(item) !== null)) return null;
  return list as string[];
}

function boolean(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

function parseCron(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    new Cron(value, { paused: true }).stop();
    return value;
  } catch {
    return null;
  }
}

const ROUTE_KEYS = new Set(['port', 'paths', 'strip']);

/** {port, paths: {"/prefix": "service"}, strip?}; which services exist is checked against the file. */
export function parseRoutes(value: unknown): RouteTable | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const raw = value as Record<string, unknown>;
  if (!Object.keys(raw).every((key) => ROUTE_KEYS.has(key))) return null;
  const port = integerIn(1, 65535)(raw.port);
  if (port === null || typeof raw.paths !== 'object' || raw.paths === null || Array.isArray(raw.paths)) return null;
  const entries = Object.entries(raw.paths as Record<string, unknown>);
  if (entries.length === 0) return null;
  if (!entries.every(([prefix, name]) => prefix.startsWith('/') && typeof name === 'string' && NAME_PATTERN.test(name))) return null;
  if (raw.strip !== undefined && typeof raw.strip !== 'boolean') return null;
  return { port, paths: Object.fromEntries(entries) as Record<string, string>, ...(raw.strip ? { strip: true } : {}) };
}

export type RawService = z.input<typeof serviceSchema>;
export type ParsedService = z.output<typeof serviceSchema>;

export const servicesFileSchema = z.strictObject({
  services: z.array(z.unknown()).min(1, 'must list at least one service'),
  routes: field('must be {port, paths: {"/prefix": "service-name"}, strip?: true|false}', parseRoutes).optional(),
});

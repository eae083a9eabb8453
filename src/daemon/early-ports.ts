import { closeSync, constants, openSync, readFileSync } from 'node:fs';
import { holdPort } from '../balancer/held-ports.js';

/**
 * The public ports a previous daemon listened on (balanced services, routes),
 * opened again the moment a new daemon holds its lock — before it loads the
 * rest of itself and recovers (~0.3 s): see ../balancer/held-ports.ts.
 */

type Loose = Record<string, unknown>;
const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);
const isPort = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;

/**
 * Pure: the ports `state` (state.json as parsed, unchecked) says the daemon
 * listened on itself: running services its balancer fronts, and routes.
 * Anything of the wrong shape is skipped (recovery reports it).
 */
export function daemonPortsOf(state: unknown): number[] {
  if (!isObject(state)) return [];
  const ports = new Set<number>();
  for (const item of Array.isArray(state.services) ? state.services : []) {
    if (!isObject(item) || item.desired !== 'running') continue;
    const entry = isObject(item.service) ? item.service : isObject(item.definition) ? item.definition : null;
    if (!entry || !isPort(entry.port)) continue;
    const { instances } = entry;
    const balanced = (typeof instances === 'number' && instances > 1) || isObject(instances) || entry.maxInflight !== undefined || entry.accessLog === true;
    if (balanced) ports.add(entry.port);
  }
  for (const table of Array.isArray(state.routes) ? state.routes : []) if (isObject(table) && isPort(table.port)) ports.add(table.port);
  return [...ports];
}

/** Opens each port of `statePath`'s services on `host`; a port that cannot be had (in use) is skipped. */
export async function holdDaemonPorts(statePath: string, host: string): Promise<number[]> {
  let state: unknown;
  try {
    const fd = openSync(statePath, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      state = JSON.parse(readFileSync(fd, 'utf8'));
    } finally {
      closeSync(fd);
    }
  } catch {
    return []; // none, or unreadable: recovery says so
  }
  const opened = await Promise.all(daemonPortsOf(state).map((port) => holdPort(port, host)));
  return opened.filter((port): port is number => port !== null);
}


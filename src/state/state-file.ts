import { existsSync, renameSync } from 'node:fs';
import { definitionToEntry } from '../config/definition-entry.js';
import type { RouteTable } from '../types.js';
import { readJsonFile, STATE_VERSION, type ServiceRecord } from './store.js';

/** The live list as stored: each service in services-file form, so it is checked by the same schema. */
export function renderStateFile(records: ServiceRecord[], routes: RouteTable[]): unknown {
  return {
    version: STATE_VERSION,
    daemonPid: process.pid,
    services: records.map((record) => ({ service: definitionToEntry(record.definition), desired: record.desired, instances: record.instances, ...(record.scale ? { scale: record.scale } : {}) })),
    routes,
  };
}

export interface LoadedState {
  records: ServiceRecord[];
  routes: RouteTable[];
  /** Every part that was not usable, with its path ("state.services[1].service.port: …"). */
  problems: string[];
}

/**
 * Reads state.json, keeping every record that checks out: a wrongly shaped
 * or unreadable file never throws, it comes back with its problems named.
 */
export async function loadStateFile(path: string, readRecords: (services: unknown[], tables: unknown[]) => Promise<LoadedState>): Promise<LoadedState | null> {
  let raw: unknown;
  try {
    raw = await readJsonFile<unknown>(path, 'state');
  } catch (error) {
    return { records: [], routes: [], problems: [(error as Error).message] };
  }
  if (raw === null) return null;
  const top = raw as { services?: unknown; routes?: unknown };
  if (typeof raw !== 'object' || Array.isArray(raw) || !Array.isArray(top.services)) {
    return { records: [], routes: [], problems: ['state: expected {"services": [...]}'] };
  }
  // The records are checked (`readRecords`: zod, the services-file schema) only when there are some: a daemon that starts empty never loads them.
  const tables = Array.isArray(top.routes) ? top.routes : [];
  if (top.services.length === 0 && tables.length === 0) return { records: [], routes: [], problems: [] };
  return readRecords(top.services, tables);
}

/**
 * Moves a bad file aside as `<file>.corrupt-<time>` (a number added if that
 * exists: an earlier one is never overwritten). Returns the new path.
 */
export function moveAside(path: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let target = `${path}.corrupt-${stamp}`;
  for (let n = 1; existsSync(target); n++) target = `${path}.corrupt-${stamp}-${n}`;
  renameSync(path, target);
  return target;
}

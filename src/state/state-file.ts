import { existsSync, renameSync } from 'node:fs';
import { z } from 'zod';
import { definitionToEntry, definitionsFromEntries, parseRouteTable } from '../config/definition-entry.js';
import type { InstanceRecord } from '../supervisor/instance.js';
import type { RouteTable } from '../types.js';
import { readJsonFile, STATE_VERSION, type ServiceRecord } from './store.js';

const STATUSES = ['starting', 'online', 'stopping', 'stopped', 'waiting', 'errored'] as const;
const count = z.number().int().min(0);

const instanceRecordSchema = z.object({
  index: count,
  port: z.number().int().min(1).max(65535).nullable(),
  status: z.enum(STATUSES),
  restarts: count,
  streak: count,
  lastExit: z.object({ code: z.number().int().nullable(), signal: z.string().nullable(), unknown: z.boolean().optional() }).nullable().optional(),
  reason: z.string().max(2000).nullable().optional(),
  run: z
    .object({ spawnId: z.string().regex(/^[0-9a-f]{12}$/), pid: z.number().int().min(2), startTime: count, startedAt: count })
    .nullable(),
});

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
export async function loadStateFile(path: string): Promise<LoadedState | null> {
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
  const problems: string[] = [];
  const records: ServiceRecord[] = [];
  top.services.forEach((item: unknown, index: number) => {
    const record = readRecord(item, `state.services[${index}]`, problems);
    if (record) records.push(record);
  });
  const routes: RouteTable[] = [];
  (Array.isArray(top.routes) ? top.routes : []).forEach((table: unknown, index: number) => {
    const parsed = parseRouteTable(table);
    if (parsed) routes.push(parsed);
    else problems.push(`state.routes[${index}]: not a routes table`);
  });
  return { records, routes, problems };
}

function readRecord(item: unknown, where: string, problems: string[]): ServiceRecord | null {
  if (typeof item !== 'object' || item === null) {
    problems.push(`${where}: not an object`);
    return null;
  }
  const raw = item as { service?: unknown; definition?: unknown; desired?: unknown; instances?: unknown };
  // Version 1 stored the normalised definition under "definition"; it reads the same way.
  const { definitions, issues } = definitionsFromEntries([raw.service ?? raw.definition], `${where}.service`);
  problems.push(...issues.map((issue) => issue.replace(`${where}.service[0]`, `${where}.service`)));
  const definition = definitions[0];
  if (!definition) return null;
  const desired = raw.desired === 'stopped' ? 'stopped' : 'running';
  if (raw.desired !== 'running' && raw.desired !== 'stopped') problems.push(`${where}.desired: must be "running" or "stopped"`);
  const instances: InstanceRecord[] = [];
  (Array.isArray(raw.instances) ? raw.instances : []).forEach((instance: unknown, index: number) => {
    const parsed = instanceRecordSchema.safeParse(instance);
    if (parsed.success) instances.push(parsed.data);
    else problems.push(`${where}.instances[${index}]: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'record'} ${issue.message}`).join('; ')}`);
  });
  const pinned = (raw as { scale?: { pinned?: unknown } }).scale?.pinned;
  const scale = count.safeParse(pinned).success ? { scale: { pinned: pinned as number } } : {};
  return { definition, desired, instances, ...scale };
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

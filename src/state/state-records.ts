import { z } from 'zod';
import { definitionsFromEntries, parseRouteTable } from '../config/stored-entries.js';
import type { InstanceRecord } from '../supervisor/instance.js';
import type { RouteTable } from '../types.js';
import type { LoadedState } from './state-file.js';
import type { ServiceRecord } from './store.js';

// state.json's records checked one by one (zod): loaded only when the file lists some.

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

/** Every record and routes table of a state file that checks out, and what did not, by path. */
export function readStateRecords(services: unknown[], tables: unknown[]): LoadedState {
  const problems: string[] = [];
  const records: ServiceRecord[] = [];
  services.forEach((item: unknown, index: number) => {
    const record = readRecord(item, `state.services[${index}]`, problems);
    if (record) records.push(record);
  });
  const routes: RouteTable[] = [];
  tables.forEach((table: unknown, index: number) => {
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

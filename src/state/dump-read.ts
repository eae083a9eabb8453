import { definitionsFromEntries, parseRouteTable } from '../config/stored-entries.js';
import { ApictlError } from '../errors.js';
import type { RouteTable, ServiceDefinition } from '../types.js';
import { readJsonFile } from './store.js';

// Reading dump.json back checks it with the services-file schema (zod): apart
// from dump.ts, so `save` does not load the schema.

export interface Dump {
  services: ServiceDefinition[];
  routes: RouteTable[];
  /** Entries that did not check out, by path: they are not started, and the file is left as it is. */
  issues: string[];
}

/** Reads dump.json, checked by the services-file schema entry by entry; it is never changed or moved. */
export async function readDump(path: string): Promise<Dump> {
  const dump = await readJsonFile<{ services?: unknown; routes?: unknown }>(path, 'dump');
  if (!dump) throw new ApictlError('APICTL_NO_DUMP', `nothing saved yet: ${path} does not exist`, { hint: 'run `apictl save` first' });
  if (typeof dump !== 'object' || !Array.isArray(dump.services)) {
    throw new ApictlError('APICTL_CORRUPT_FILE', `dump ${path} has no "services" list`, {
      hint: 'fix or move the file aside; apictl never overwrites it on its own (dump.json.bak holds the previous save)',
    });
  }
  const { definitions, issues } = definitionsFromEntries(dump.services, 'dump.services');
  const routes: RouteTable[] = [];
  (Array.isArray(dump.routes) ? dump.routes : []).forEach((table, index) => {
    const parsed = parseRouteTable(table);
    if (parsed) routes.push(parsed);
    else issues.push(`dump.routes[${index}]: not a routes table`);
  });
  return { services: definitions, routes, issues };
}

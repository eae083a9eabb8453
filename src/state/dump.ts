import { constants } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.js';
import { definitionToEntry } from '../config/definition-entry.js';
import { definitionsFromEntries, parseRouteTable } from '../config/stored-entries.js';
import { ApictlError } from '../errors.js';
import type { RouteTable, ServiceDefinition } from '../types.js';
import { readJsonFile, writeJsonFile } from './store.js';

export const DUMP_VERSION = 2;

/**
 * Writes the definitions (what the user gave, never the daemon's environment)
 * to dump.json in services-file form, keeping the previous dump as dump.json.bak.
 */
export async function writeDump(path: string, definitions: ServiceDefinition[], routes: RouteTable[] = []): Promise<void> {
  // Copied as a new file by rename, never through whatever sits at dump.json.bak (a planted symlink).
  const previous = await readFile(path, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (previous !== null) await writeFileAtomic(`${path}.bak`, previous);
  await writeJsonFile(path, { version: DUMP_VERSION, savedAt: new Date().toISOString(), services: definitions.map(definitionToEntry), routes });
}

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

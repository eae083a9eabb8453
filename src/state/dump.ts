import { copyFile } from 'node:fs/promises';
import { ApictlError } from '../errors.js';
import type { RouteTable, ServiceDefinition } from '../types.js';
import { readJsonFile, writeJsonFile, type DumpFile } from './store.js';

export const DUMP_VERSION = 1;

/**
 * Writes the definitions (what the user gave, never the daemon's environment)
 * to dump.json, keeping the previous dump as dump.json.bak.
 */
export async function writeDump(path: string, definitions: ServiceDefinition[], routes: RouteTable[] = []): Promise<void> {
  await copyFile(path, `${path}.bak`).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  const dump: DumpFile = { version: DUMP_VERSION, savedAt: new Date().toISOString(), services: definitions, routes };
  await writeJsonFile(path, dump);
}

export async function readDump(path: string): Promise<{ services: ServiceDefinition[]; routes: RouteTable[] }> {
  const dump = await readJsonFile<DumpFile>(path, 'dump');
  if (!dump) throw new ApictlError('APICTL_NO_DUMP', `nothing saved yet: ${path} does not exist`, { hint: 'run `apictl save` first' });
  if (!Array.isArray(dump.services)) {
    throw new ApictlError('APICTL_CORRUPT_FILE', `dump ${path} has no "services" list`, {
      hint: 'fix or move the file aside; apictl never overwrites it on its own (dump.json.bak holds the previous save)',
    });
  }
  return { services: dump.services, routes: Array.isArray(dump.routes) ? dump.routes : [] };
}

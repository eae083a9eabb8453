import { constants } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.js';
import { definitionToEntry } from '../config/definition-entry.js';
import type { RouteTable, ServiceDefinition } from '../types.js';
import { writeJsonFile } from './store.js';

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

// Everything the daemon checks with the services-file schema (zod): a start's
// file or flags, dump.json, state.json's records, a process's carried
// definition. The bundle makes this a file of its own, daemon-checks.cjs,
// that checks-loader.ts loads for the work and lets go of after: zod, the
// schema built from it and the code compiled for them are ~9 MB of a daemon
// that otherwise needs them only when the next file comes.

export { BUILD_ID } from './build-id.js';
export { loadDrafts } from '../config/load.js';
export { definitionsFromEntries } from '../config/stored-entries.js';
export { readDump } from '../state/dump-read.js';
export { readStateRecords } from '../state/state-records.js';

/**
 * zod keeps its configuration (the error messages) and its registry on
 * globalThis, so a new copy finds them: they hold the old copy alive.
 * Called as the checks are let go; the next load makes them anew.
 */
export function forgetGlobals(): void {
  const held = globalThis as { __zod_globalConfig?: unknown; __zod_globalRegistry?: unknown };
  delete held.__zod_globalConfig;
  delete held.__zod_globalRegistry;
}

import { createRequire } from 'node:module';
import { ApictlError } from '../errors.js';
import { BUILD_ID } from './build-id.js';
import { daemonCollector } from './idle-collect.js';

export type Checks = typeof import('./checks.js');

/** How long the checks stay loaded after their last use: a burst of starts loads them once. */
const DEFAULT_IDLE_MS = 2_000;
const idleMs = (): number => {
  const value = Number(process.env.APICTL_CHECKS_IDLE_MS);
  return Number.isInteger(value) && value >= 0 ? value : DEFAULT_IDLE_MS;
};
/** The file the daemon bundle makes of checks.ts (scripts/bundle-daemon.mjs). */
const CHUNK = '/daemon-checks.cjs';

let loaded: Promise<Checks> | null = null;
let users = 0;
let idle: NodeJS.Timeout | null = null;

/**
 * Runs `work` with the services-file checks loaded (zod and the schema, ~30 ms
 * the first time), and lets them go 2 s (APICTL_CHECKS_IDLE_MS) after the last user is done.
 */
export async function withChecks<T>(work: (checks: Checks) => T | Promise<T>): Promise<T> {
  users += 1;
  if (idle) clearTimeout(idle);
  idle = null;
  try {
    loaded ??= load();
    return await work(await loaded);
  } finally {
    users -= 1;
    if (users === 0) idle = setTimeout(release, idleMs()).unref();
  }
}

/**
 * The checks of this daemon's own build. apictl upgraded under a running
 * daemon puts another build's files on disk: this daemon must not check with
 * them (nor with a half-installed file); it says so and stays usable.
 */
async function load(): Promise<Checks> {
  let checks: Checks;
  try {
    checks = await import('./checks.js');
  } catch (error) {
    loaded = null;
    unloadChunk();
    throw new ApictlError('APICTL_PROTOCOL_MISMATCH', `this daemon (pid ${process.pid}) cannot load its services-file checks: ${(error as Error).message.split('\n')[0]}`, { hint: UPDATE_HINT });
  }
  if (checks.BUILD_ID !== BUILD_ID) {
    loaded = null;
    checks.forgetGlobals();
    unloadChunk();
    throw new ApictlError('APICTL_PROTOCOL_MISMATCH', `the installed apictl is another build than this daemon (pid ${process.pid}), whose services-file checks are gone from disk`, { hint: UPDATE_HINT });
  }
  return checks;
}

const UPDATE_HINT = 'run `apictl update` to replace the daemon with the installed build (services keep running)';

function release(): void {
  idle = null;
  const checks = loaded;
  loaded = null;
  void checks?.then(
    (module) => {
      module.forgetGlobals();
      unloadChunk();
      daemonCollector.touch();
    },
    () => undefined, // a failed load was reported to its caller and unloaded then
  );
}

/**
 * Drops daemon-checks.cjs, and the files only it required (vendor-zod.cjs),
 * from Node's module cache and from their parents' `children`, so nothing
 * holds them. Run from the sources (tests), the checks are an ES module that
 * cannot be unloaded: there is no such file in the cache, and nothing to do.
 */
function unloadChunk(): void {
  const cache = createRequire(import.meta.url).cache;
  const modules = Object.values(cache).filter((module): module is NodeJS.Module => module !== undefined);
  const chunk = modules.find((module) => module.filename.endsWith(CHUNK));
  if (!chunk) return;
  const requiredElsewhere = (child: NodeJS.Module) => modules.some((module) => module !== chunk && module.children.includes(child));
  const dropped = [chunk, ...chunk.children.filter((child) => !requiredElsewhere(child))];
  for (const module of dropped) delete cache[module.id];
  for (const module of modules) {
    module.children = module.children.filter((child) => !dropped.includes(child));
    // A file the chunk required first and the daemon too (vendor-croner.cjs) names the chunk as its
    // parent, which would hold the chunk and zod for good. (module.parent is deprecated for reading.)
    if (module.parent && dropped.includes(module.parent)) module.parent = undefined;
  }
}

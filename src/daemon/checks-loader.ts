import { createRequire } from 'node:module';
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
    loaded ??= import('./checks.js');
    return await work(await loaded);
  } finally {
    users -= 1;
    if (users === 0) idle = setTimeout(release, idleMs()).unref();
  }
}

function release(): void {
  idle = null;
  const checks = loaded;
  loaded = null;
  void checks?.then((module) => {
    module.forgetGlobals();
    unloadChunk();
    daemonCollector.touch();
  });
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
  for (const module of modules) module.children = module.children.filter((child) => !dropped.includes(child));
}

import { afterAll, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sweepHome, type Harness } from './harness.js';

/** Mounts a fresh tmpfs of `size` ("3m") at `dir` (created 0700): a small disk that fills up. Needs root. */
export function mountTmpfs(dir: string, size: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
}

/** Gives a tmpfs `size` now (space back, or taken away). */
export function resizeTmpfs(dir: string, size: string): void {
  execFileSync('mount', ['-o', `remount,size=${size}`, dir]);
}

/** Unmounts it; lazily when something still holds it open. */
export function unmountTmpfs(dir: string): void {
  try {
    execFileSync('umount', [dir]);
  } catch {
    execFileSync('umount', ['-l', dir]);
  }
}

/** Fills `dir` with 4 KB files fill.0, fill.1, … until the disk refuses one; returns how many there are. */
export function fillWithPages(dir: string): number {
  const page = Buffer.alloc(4096, 1);
  let fillers = 0;
  for (;;) {
    try {
      writeFileSync(join(dir, `fill.${fillers}`), page);
      fillers++;
    } catch {
      rmSync(join(dir, `fill.${fillers}`), { force: true });
      return fillers;
    }
  }
}

/**
 * A small disk for one describe block: a tmpfs of `size` at `dir`, mounted in
 * beforeAll (a filtered run that skips the block mounts nothing); after the
 * block, the daemon of `home` (the harness's unless given) killed, what it
 * left swept, the tmpfs unmounted and, unless `cleanup: false`, the harness
 * cleaned up.
 */
export function tmpfsForBlock(harness: Harness, dir: string, size: string, options: { home?: string; cleanup?: boolean } = {}): void {
  const home = options.home ?? harness.home;
  beforeAll(() => mountTmpfs(dir, size));
  afterAll(async () => {
    await harness.run(['kill'], { env: { APICTL_HOME: home } });
    sweepHome(home);
    unmountTmpfs(dir);
    if (options.cleanup !== false) await harness.cleanup();
  });
}

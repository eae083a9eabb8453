import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HomePaths } from '../state/paths.js';

/**
 * The live keeper of this home (bin/apictl-keeper), from its pid file, or
 * null. A keeper waiting out a back-off has no daemon up; a command wakes it
 * instead of starting a second one, and `kill` stops it.
 */
export function findKeeper(paths: HomePaths): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(join(paths.home, 'keeper.pid'), 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 1) return null;
  try {
    // A stale pid file may name a reused pid: it must be a keeper, of this home.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    return cmdline.includes('apictl-keeper') && environ.includes(`\0APICTL_HOME=${paths.home}\0`) ? pid : null;
  } catch {
    return null;
  }
}

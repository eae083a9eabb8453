import { chmodSync, lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { ApictlError } from '../errors.js';
import { resolveHome } from '../state/paths.js';

/**
 * Creates (or checks) $APICTL_HOME and its folders, all 0700 and ours, and
 * returns its real path. A home, logs/ or run/ owned by someone else, or a
 * symlink planted for one of the folders, is refused: the daemon would
 * otherwise write logs or secrets where another user can read or redirect them.
 */
export function prepareHome(home: string = resolveHome()): string {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const real = realpathSync(home);
  assertOwnFolder(real, 'APICTL_HOME');
  chmodSync(real, 0o700);
  for (const name of ['logs', 'run']) {
    const folder = join(real, name);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    assertOwnFolder(folder, name, true);
    chmodSync(folder, 0o700);
  }
  return real;
}

function assertOwnFolder(path: string, what: string, noSymlink = false): void {
  const stat = lstatSync(path);
  if (noSymlink && stat.isSymbolicLink()) {
    throw new ApictlError('APICTL_UNSAFE_HOME', `${path} is a symlink; apictl does not write through one`, { hint: `remove it; apictl recreates ${what}/ itself` });
  }
  if (!stat.isDirectory()) throw new ApictlError('APICTL_UNSAFE_HOME', `${path} (${what}) is not a folder`);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new ApictlError('APICTL_UNSAFE_HOME', `${path} (${what}) belongs to uid ${stat.uid}, not to you (uid ${uid})`, {
      hint: 'use a home of your own: set APICTL_HOME to a folder you own',
    });
  }
}

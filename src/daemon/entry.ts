// The daemon process, as the keeper (bin/apictl-keeper) runs it: its exit code tells the keeper what to do next.
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ApictlError } from '../errors.js';
import { resolveHome } from '../state/paths.js';
import { bootDaemon } from './boot.js';
import { EXIT_CRASHED, EXIT_REFUSED } from './exit-codes.js';

/**
 * A deliberate exit says its code in daemon.exit first: the keeper's `wait`
 * can report a signal's status instead of the daemon's when the two meet
 * (bash), and a stop must never be taken for a crash. Best effort: without
 * the file the keeper goes by the exit status.
 */
function exitWith(code: number): never {
  try {
    const fd = openSync(join(resolveHome(), 'daemon.exit'), constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
    writeSync(fd, `${process.pid} ${code}\n`);
    closeSync(fd);
  } catch {
    // a full disk, a home gone: the exit status still says it
  }
  process.exit(code);
}

bootDaemon({ foreground: process.env.APICTL_FOREGROUND === '1', resurrect: process.env.APICTL_RESURRECT === '1' }).then(
  (code) => exitWith(code),
  (error: unknown) => {
    if (error instanceof ApictlError) {
      // Refused (an unsafe home): starting again would not change that.
      process.stderr.write(`apictl: ${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}\n`);
      exitWith(EXIT_REFUSED);
    }
    process.stderr.write(`apictl daemon failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(EXIT_CRASHED);
  },
);

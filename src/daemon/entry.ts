// The daemon process, as the keeper (bin/apictl-keeper) runs it: its exit code tells the keeper what to do next.
import { ApictlError } from '../errors.js';
import { EXIT_CRASHED, EXIT_REFUSED, runDaemon } from './main.js';

runDaemon({ foreground: process.env.APICTL_FOREGROUND === '1', resurrect: process.env.APICTL_RESURRECT === '1' }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ApictlError) {
      // Refused (an unsafe home): starting again would not change that.
      process.stderr.write(`apictl: ${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}\n`);
      process.exit(EXIT_REFUSED);
    }
    process.stderr.write(`apictl daemon failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(EXIT_CRASHED);
  },
);

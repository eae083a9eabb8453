// Detached daemon process started by the CLI (see client/connect.ts).
import { runDaemon } from './main.js';

runDaemon({ foreground: false, resurrect: false }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`apictl daemon failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

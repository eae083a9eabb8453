import type { StartResult } from '../../supervisor/supervisor.js';
import { printResults } from '../results.js';
import { LONG_CALL_MS, withDaemon } from '../session.js';

export async function run(options: { wait: boolean }): Promise<void> {
  const { started, skipped } = await withDaemon((client) =>
    client.call<{ started: StartResult[]; skipped: string[]; issues: string[] }>('resurrect', { wait: options.wait }, { timeoutMs: LONG_CALL_MS, waitingFor: 'to resurrect dump.json' }),
  );
  if (skipped.length > 0) process.stdout.write(`already running, skipped: ${skipped.join(', ')}\n`);
  if (started.length === 0 && skipped.length === 0) process.stdout.write('dump.json lists no services\n');
  printResults(started, false);
}

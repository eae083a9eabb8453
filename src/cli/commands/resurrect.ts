import { progressListener } from '../progress.js';
import { printResults } from '../results.js';
import { LONG_CALL_MS, withDaemon } from '../session.js';

export async function run(options: { wait: boolean }): Promise<void> {
  const onProgress = progressListener(false);
  const { started, skipped, issues } = await withDaemon((client) =>
    client.call('resurrect', { wait: options.wait, progress: onProgress !== undefined }, { onEvent: onProgress, timeoutMs: LONG_CALL_MS, waitingFor: 'to resurrect dump.json' }),
  );
  if (skipped.length > 0) process.stdout.write(`already running, skipped: ${skipped.join(', ')}\n`);
  // dump.json is never changed by apictl: entries that do not check out are named, and the rest started.
  for (const issue of issues) process.stderr.write(`apictl: dump.json: ${issue} (not started)\n`);
  // The rest is up, but a script (or the person) must not take this for a full resurrect.
  if (issues.length > 0) process.exitCode = 1;
  if (started.length === 0 && skipped.length === 0) process.stdout.write('dump.json lists no services\n');
  printResults(started, false);
}

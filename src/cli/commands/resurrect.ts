import { progressListener } from '../progress.js';
import { printResults } from '../results.js';
import { withDaemon } from '../session.js';

export async function run(options: { wait: boolean }): Promise<void> {
  const onProgress = progressListener(false);
  const { started, skipped } = await withDaemon((client) =>
    client.call('resurrect', { wait: options.wait, progress: onProgress !== undefined }, onProgress),
  );
  if (skipped.length > 0) process.stdout.write(`already running, skipped: ${skipped.join(', ')}\n`);
  if (started.length === 0 && skipped.length === 0) process.stdout.write('dump.json lists no services\n');
  printResults(started, false);
}

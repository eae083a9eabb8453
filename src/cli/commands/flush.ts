import { withDaemon } from '../session.js';

export async function run(name: string | undefined): Promise<void> {
  const { flushed } = await withDaemon((client) => client.call('flush', { target: name }));
  process.stdout.write(flushed.length > 0 ? `flushed logs of ${flushed.join(', ')}\n` : 'no services registered\n');
}

import { withDaemon } from '../session.js';

export async function run(): Promise<void> {
  const { path, saved } = await withDaemon((client) => client.call('save', {}));
  process.stdout.write(`saved ${saved.length} service${saved.length === 1 ? '' : 's'} to ${path}${saved.length ? `: ${saved.join(', ')}` : ''}\n`);
}

import { withDaemon } from '../session.js';

export async function run(): Promise<void> {
  const answer = await withDaemon((client) => client.call('ping', {}, { timeoutMs: 5_000 }));
  process.stdout.write(`pong (daemon pid ${answer.pid})\n`);
}

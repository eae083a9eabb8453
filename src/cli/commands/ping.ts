import { withDaemon } from '../session.js';

export async function run(): Promise<void> {
  const answer = await withDaemon((client) => client.call('ping', {}));
  process.stdout.write(`pong (daemon pid ${answer.pid})\n`);
}

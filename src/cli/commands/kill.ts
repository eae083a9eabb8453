import { setTimeout as delay } from 'node:timers/promises';
import { connectDaemon } from '../../client/connect.js';
import { resolvePaths } from '../../state/paths.js';

const KILL_DEADLINE_MS = 60_000;

/** Stops every service gracefully, then the daemon; waits until it is gone. */
export async function run(): Promise<void> {
  const paths = resolvePaths();
  let client;
  try {
    client = await connectDaemon(paths, { autostart: false });
  } catch {
    process.stdout.write('no daemon running\n');
    return;
  }
  const { pid } = await client.call('kill', {});
  client.close();
  const deadline = Date.now() + KILL_DEADLINE_MS;
  while (Date.now() < deadline && isAlive(pid)) await delay(20);
  process.stdout.write(isAlive(pid) ? `daemon ${pid} is still stopping its services\n` : `daemon ${pid} stopped\n`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

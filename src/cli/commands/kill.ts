import { setTimeout as delay } from 'node:timers/promises';
import { connectDaemon } from '../../client/connect.js';
import { findKeeper } from '../../client/keeper.js';
import type { DaemonClient } from '../../client/client.js';
import { findMarkedProcesses } from '../../process/supervised-marker.js';
import { resolvePaths, type HomePaths } from '../../state/paths.js';

const KILL_DEADLINE_MS = 60_000;

/** Stops every service gracefully, then the daemon (its keeper leaves with it); waits until it is gone. */
export async function run(): Promise<void> {
  const paths = resolvePaths();
  const client = await connectForKill(paths);
  if (!client) {
    process.stdout.write('no daemon running\n');
    return;
  }
  const { pid } = await client.call('kill', {});
  client.close();
  const deadline = Date.now() + KILL_DEADLINE_MS;
  while (Date.now() < deadline && isAlive(pid)) await delay(20);
  process.stdout.write(isAlive(pid) ? `daemon ${pid} is still stopping its services\n` : `daemon ${pid} stopped\n`);
}

/**
 * The running daemon; or, when none answers but one is due (a keeper waiting
 * out a back-off) or services of this home still run (a daemon died), one
 * started for the purpose: it adopts them, so they are stopped gracefully
 * rather than left behind.
 */
async function connectForKill(paths: HomePaths): Promise<DaemonClient | null> {
  try {
    return await connectDaemon(paths, { autostart: false });
  } catch {
    if (findKeeper(paths) === null && findMarkedProcesses(paths.home).length === 0) return null;
    return connectDaemon(paths, { autostart: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

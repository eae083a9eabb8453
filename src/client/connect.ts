import { mkdirSync, openSync, closeSync } from 'node:fs';
import { connect as connectSocket, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ApictlError } from '../errors.js';
import type { HomePaths } from '../state/paths.js';
import { DaemonClient } from './client.js';

const DAEMON_START_DEADLINE_MS = 15_000;

function tryConnect(path: string): Promise<Socket | null> {
  return new Promise((resolve, reject) => {
    const socket = connectSocket({ path });
    socket.once('connect', () => resolve(socket));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.destroy();
      if (['ENOENT', 'ECONNREFUSED', 'ENOTSOCK'].includes(error.code ?? '')) resolve(null);
      else reject(new ApictlError('APICTL_SOCKET', `cannot reach the daemon at ${path}: ${error.code ?? error.message}`));
    });
  });
}

/**
 * Starts a detached daemon for this home; its stderr goes to daemon.log.
 * child_process is loaded here, not at the top: a command that finds its
 * daemon running never pays for it (8 ms of start-up on a 2-core machine).
 */
export async function spawnDaemon(paths: HomePaths): Promise<void> {
  const { spawn } = await import('node:child_process');
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  const log = openSync(paths.daemonLog, 'a', 0o600);
  const entry = fileURLToPath(new URL('../daemon/entry.js', import.meta.url));
  const child = spawn(process.execPath, [entry], {
    detached: true,
    stdio: ['ignore', log, log],
    cwd: paths.home,
    env: { ...process.env, APICTL_HOME: paths.home },
  });
  child.unref();
  closeSync(log);
}

/**
 * A client connected to the daemon, starting the daemon first when none
 * answers. Many CLIs may race here: the daemon's lock lets only one survive,
 * and every CLI waits until the socket answers.
 */
export async function connectDaemon(paths: HomePaths, options: { autostart: boolean } = { autostart: true }): Promise<DaemonClient> {
  const socket = await tryConnect(paths.socket);
  if (socket) return new DaemonClient(socket);
  if (!options.autostart) {
    throw new ApictlError('APICTL_NO_DAEMON', `no daemon is running for ${paths.home}`, { hint: 'any command such as `apictl list` starts one' });
  }
  await spawnDaemon(paths);
  const deadline = Date.now() + DAEMON_START_DEADLINE_MS;
  let waitMs = 10;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    const ready = await tryConnect(paths.socket);
    if (ready) return new DaemonClient(ready);
    waitMs = Math.min(100, waitMs * 2);
  }
  throw new ApictlError('APICTL_DAEMON_START', `the daemon did not start within ${DAEMON_START_DEADLINE_MS / 1000}s`, {
    hint: `see ${paths.daemonLog}`,
  });
}

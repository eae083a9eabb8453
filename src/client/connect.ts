import { chmodSync, closeSync, constants, lstatSync, mkdirSync, openSync, readFileSync, type Stats } from 'node:fs';
import { connect as connectSocket, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ApictlError } from '../errors.js';
import type { HomePaths } from '../state/paths.js';
import { DaemonClient } from './client.js';
import { findKeeper } from './keeper.js';

const DAEMON_START_DEADLINE_MS = 15_000;
const CONNECT_DEADLINE_MS = 5_000;

function statOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/**
 * Before a byte goes out (a start may carry secrets in --env): the home and
 * its socket must be ours and closed to group and others. A home that is
 * ours and merely readable by others is closed (0700); one that others may
 * write to, or that someone else owns, is refused.
 */
export function assertTrustedHome(paths: HomePaths, uid = process.getuid?.()): void {
  if (uid === undefined) return;
  const home = statOrNull(paths.home);
  if (home) {
    if (!home.isDirectory()) throw unsafe(`${paths.home} is not a folder`, 'set APICTL_HOME to a folder of your own');
    if (home.uid !== uid) throw unsafe(`${paths.home} belongs to uid ${home.uid}, not to you (uid ${uid})`, 'set APICTL_HOME to a folder of your own');
    if (home.mode & 0o022) throw unsafe(`${paths.home} can be written by others (mode ${(home.mode & 0o777).toString(8)}), so its socket cannot be trusted`, `check what is in it, then \`chmod 700 ${paths.home}\``);
    if (home.mode & 0o077) chmodSync(paths.home, 0o700);
  }
  const socket = statOrNull(paths.socket);
  if (socket) {
    if (!socket.isSocket()) throw unsafe(`${paths.socket} is not a socket`, 'remove it; the daemon makes its own');
    if (socket.uid !== uid || socket.mode & 0o077) throw unsafe(`${paths.socket} is not private to you (owner uid ${socket.uid}, mode ${(socket.mode & 0o777).toString(8)})`, 'remove it and run the command again');
  }
}

function unsafe(message: string, hint: string): ApictlError {
  return new ApictlError('APICTL_UNSAFE_HOME', message, { hint });
}

function tryConnect(path: string): Promise<Socket | null> {
  return new Promise((resolve, reject) => {
    const socket = connectSocket({ path });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ApictlError('APICTL_TIMEOUT', `the daemon's socket ${path} accepted no connection within ${CONNECT_DEADLINE_MS / 1000}s`, { hint: 'the daemon may be wedged: see `apictl logs --daemon`' }));
    }, CONNECT_DEADLINE_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      if (['ENOENT', 'ECONNREFUSED', 'ENOTSOCK'].includes(error.code ?? '')) resolve(null);
      else reject(new ApictlError('APICTL_SOCKET', `cannot reach the daemon at ${path}: ${error.code ?? error.message}`));
    });
  });
}

function daemonPidOf(paths: HomePaths): number | null {
  try {
    return Number(readFileSync(paths.pid, 'utf8').trim()) || null;
  } catch {
    return null;
  }
}

/**
 * Starts the keeper (bin/apictl-keeper), which starts the daemon and brings
 * it back whenever it dies; their output goes to daemon.log. `exited` settles
 * with the keeper's exit code if it exits while we wait.
 * child_process is loaded here, not at the top: a command that finds its
 * daemon running never pays for it.
 */
export async function spawnDaemon(paths: HomePaths): Promise<{ exited: Promise<number | null> }> {
  const waiting = findKeeper(paths);
  if (waiting !== null) {
    // A keeper is waiting out a back-off between daemon crashes: ask it for a daemon now.
    process.kill(waiting, 'SIGUSR2');
    return { exited: new Promise(() => undefined) };
  }
  const { spawn } = await import('node:child_process');
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  let log: number | 'ignore' = 'ignore';
  try {
    log = openSync(paths.daemonLog, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  } catch {
    // daemon.log refused (a planted symlink): the daemon says so in its own way; we start it all the same.
  }
  const keeper = fileURLToPath(new URL('../../bin/apictl-keeper', import.meta.url));
  const child = spawn('bash', [keeper], {
    detached: true,
    stdio: ['ignore', log, log],
    cwd: paths.home,
    env: {
      ...process.env,
      APICTL_HOME: paths.home,
      // Names the keeper of this home in /proc (what tests and people look for).
      APICTL_KEEPER_HOME: paths.home,
      APICTL_NODE: process.execPath,
      // The daemon's bundle (scripts/bundle-daemon.mjs); this file runs from dist/bundle/ or dist/client/.
      APICTL_DAEMON_ENTRY: fileURLToPath(new URL('../bundle/daemon-entry.cjs', import.meta.url)),
    },
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  child.unref();
  if (typeof log === 'number') closeSync(log);
  return { exited };
}

/**
 * A client connected to the daemon, starting the daemon first when none
 * answers. Many CLIs may race here: the daemon's lock lets only one survive,
 * and every CLI waits until the socket answers.
 */
export async function connectDaemon(paths: HomePaths, options: { autostart: boolean } = { autostart: true }): Promise<DaemonClient> {
  assertTrustedHome(paths);
  const socket = await tryConnect(paths.socket);
  if (socket) return new DaemonClient(socket, daemonPidOf(paths));
  if (!options.autostart) {
    throw new ApictlError('APICTL_NO_DAEMON', `no daemon is running for ${paths.home}`, { hint: 'any command such as `apictl list` starts one' });
  }
  const keeper = await spawnDaemon(paths);
  let keeperCode: number | null | undefined;
  void keeper.exited.then((code) => (keeperCode = code));
  const deadline = Date.now() + DAEMON_START_DEADLINE_MS;
  let waitMs = 10;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    assertTrustedHome(paths);
    const ready = await tryConnect(paths.socket);
    if (ready) return new DaemonClient(ready, daemonPidOf(paths));
    // The keeper gave up at once (another daemon won the race: code 3, then its socket answers soon; refused: 4).
    if (keeperCode === 4) throw new ApictlError('APICTL_DAEMON_START', 'the daemon refused to start', { hint: `see ${paths.daemonLog}` });
    waitMs = Math.min(100, waitMs * 2);
  }
  throw new ApictlError('APICTL_DAEMON_START', `the daemon did not start within ${DAEMON_START_DEADLINE_MS / 1000}s`, { hint: `see ${paths.daemonLog}` });
}

// SHA-256 without node:crypto: loading it maps ~1.3 MB of OpenSSL and its JS
// into a daemon that needs one hash of its home (npm run bench, issue 15).
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { connect, createServer, type Server } from 'node:net';

export type LockOutcome = { held: Server } | { taken: 'daemon' | 'unknown' };

/**
 * The abstract socket one home's daemon binds: every apictl build names it
 * the same (the first 32 hex digits of the home's SHA-256), so daemons of two
 * builds for one home still exclude each other.
 */
export function lockName(home: string): string {
  return `\0apictl-${bytesToHex(sha256(utf8ToBytes(home))).slice(0, 32)}`;
}

/**
 * One daemon per home. The lock is a Linux abstract socket: binding it is
 * atomic, and the kernel releases it the instant the holder dies (even by
 * SIGKILL), so there is never a stale lock to clean up or race over.
 * Abstract sockets belong to a network namespace, so a daemon for the same
 * home in another namespace (a container) is found by its daemon.sock, which
 * is a file and answers across namespaces.
 */
export async function acquireDaemonLock(home: string, socketPath: string): Promise<LockOutcome> {
  const name = lockName(home);
  const held = await new Promise<Server | null>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(null) : reject(error)));
    server.listen({ path: name }, () => {
      server.unref();
      resolve(server);
    });
  });
  const answering = await socketAnswers(socketPath);
  if (held && !answering) return { held };
  held?.close();
  // The lock taken and no daemon answering: something else holds its name (another user can bind it).
  return { taken: answering ? 'daemon' : 'unknown' };
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path });
    const done = (answers: boolean) => {
      socket.destroy();
      resolve(answers);
    };
    socket.setTimeout(1_000, () => done(true)); // accepted but slow: a daemon, busy
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

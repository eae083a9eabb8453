import { createHash } from 'node:crypto';
import { connect, createServer, type Server } from 'node:net';

export type LockOutcome = { held: Server } | { taken: 'daemon' | 'unknown' };

/**
 * One daemon per home. The lock is a Linux abstract socket: binding it is
 * atomic, and the kernel releases it the instant the holder dies (even by
 * SIGKILL), so there is never a stale lock to clean up or race over.
 * Abstract sockets belong to a network namespace, so a daemon for the same
 * home in another namespace (a container) is found by its daemon.sock, which
 * is a file and answers across namespaces.
 */
export async function acquireDaemonLock(home: string, socketPath: string): Promise<LockOutcome> {
  const digest = createHash('sha256').update(home).digest('hex').slice(0, 32);
  const held = await new Promise<Server | null>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(null) : reject(error)));
    server.listen({ path: `\0apictl-${digest}` }, () => {
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

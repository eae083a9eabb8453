import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:net';

/**
 * One daemon per home. The lock is a Linux abstract socket: binding it is
 * atomic, and the kernel releases it the instant the holder dies (even by
 * SIGKILL), so there is never a stale lock to clean up or race over.
 */
export function acquireDaemonLock(home: string): Promise<Server | null> {
  const digest = createHash('sha256').update(home).digest('hex').slice(0, 32);
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(null) : reject(error)));
    server.listen({ path: `\0apictl-${digest}` }, () => {
      server.unref();
      resolve(server);
    });
  });
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { takeHeldPort } from './held-ports.js';
import { optimizeHotCode } from './optimizer.js';

export interface FrontTimeouts {
  headerTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/**
 * The client-facing HTTP server of a balancer or routes port, with the
 * slowloris and idle keep-alive timeouts. Node checks header deadlines only
 * every connectionsCheckingInterval (30 s by default): checked every second
 * here, so a stalled socket goes within a second of its deadline.
 */
export function createFrontServer(
  timeouts: FrontTimeouts,
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
  onUpgrade: (req: IncomingMessage, socket: Socket, head: Buffer) => void,
): Server {
  optimizeHotCode();
  const server = createServer(
    {
      headersTimeout: timeouts.headerTimeoutMs,
      // The whole request (headers and body) within 5 min, as Node's default; never before the header deadline.
      requestTimeout: Math.max(300_000, timeouts.headerTimeoutMs + 1),
      connectionsCheckingInterval: Math.min(1_000, Math.max(100, Math.floor(timeouts.headerTimeoutMs / 2))),
    },
    onRequest,
  );
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  server.on('upgrade', onUpgrade);
  return server;
}

/**
 * Listens on `host:port`; a port held for it since the daemon started
 * (held-ports.ts) is taken over — the same listening socket — and the
 * connections that waited on it are served now.
 */
export function listenOn(server: Server, port: number, host: string): Promise<void> {
  const early = takeHeldPort(port, host);
  if (early) {
    return new Promise((resolve) => {
      server.listen(early.server, () => {
        for (const socket of early.waiting) {
          server.emit('connection', socket);
          socket.resume();
        }
        early.waiting.clear();
        resolve();
      });
    });
  }
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops listening and closes every connection (idle keep-alive ones too). */
export function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

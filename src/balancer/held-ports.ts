import { createServer, type Server, type Socket } from 'node:net';

/**
 * A public port (a balancer's, a routes port) opened before the balancer
 * exists — by a daemon that has just taken over, before it loads the rest of
 * itself (~0.3 s). A client that connects meanwhile is
 * accepted and waits, unread, instead of being refused; the balancer takes
 * the listening socket and those connections over when it opens.
 */
export interface HeldPort {
  server: Server;
  /** Accepted while held, paused: nothing read from them yet. */
  waiting: Set<Socket>;
}

const held = new Map<string, HeldPort>();
const keyOf = (host: string, port: number) => `${host} ${port}`;

export function holdPort(port: number, host: string): Promise<number | null> {
  const waiting = new Set<Socket>();
  const server = createServer({ pauseOnConnect: true }, (socket) => {
    waiting.add(socket);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => waiting.delete(socket));
  });
  return new Promise((resolve) => {
    server.once('error', () => resolve(null));
    server.listen({ port, host, exclusive: true }, () => {
      held.set(keyOf(host, port), { server, waiting });
      resolve(port);
    });
  });
}

/** The held port for `host:port`, handed over once (the caller listens on its server and serves its waiting sockets). */
export function takeHeldPort(port: number, host: string): HeldPort | null {
  const found = held.get(keyOf(host, port)) ?? null;
  held.delete(keyOf(host, port));
  return found;
}

/** Lets go of the ports nothing took (a service that did not come back): refused from now on, as before. */
export function releaseHeldPorts(): void {
  for (const { server, waiting } of held.values()) {
    for (const socket of waiting) socket.destroy();
    server.close();
  }
  held.clear();
}

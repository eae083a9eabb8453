import { createServer } from 'node:net';

export const DEFAULT_PORT_BASE = 8000;

/** Pure: the first port from `base` up that is neither taken nor reserved. */
export function nextCandidatePort(base: number, reserved: ReadonlySet<number>, from = base): number | null {
  for (let port = Math.max(base, from); port <= 65535; port++) {
    if (!reserved.has(port)) return port;
  }
  return null;
}

/** True when nothing listens on `port` (any address): we could bind it ourselves. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** First free port from `base` up, skipping `reserved` (ports other services own). */
export async function findFreePort(base: number, reserved: ReadonlySet<number>): Promise<number | null> {
  let from = base;
  for (;;) {
    const candidate = nextCandidatePort(base, reserved, from);
    if (candidate === null) return null;
    if (await isPortFree(candidate)) return candidate;
    from = candidate + 1;
  }
}

/** A port the kernel considers free right now, for an instance behind the balancer. */
export function allocateEphemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { RouteTable } from '../types.js';
import { createUpstreamAgent, forwardRequest, replyUnavailable, tunnelUpgrade } from './proxy.js';

/** Pure: the service for a request path, by the longest matching prefix ("/api" matches "/api" and "/api/x", not "/apix"). */
export function matchRoute(paths: Record<string, string>, url: string): string | null {
  const path = url.split('?')[0] ?? '/';
  let best: string | null = null;
  for (const prefix of Object.keys(paths)) {
    const trimmed = prefix.length > 1 && prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
    const matches = trimmed === '/' || path === trimmed || path.startsWith(`${trimmed}/`);
    if (matches && (best === null || trimmed.length > best.length)) best = trimmed;
  }
  if (best === null) return null;
  return paths[best] ?? paths[`${best}/`] ?? null;
}

/**
 * One port fronting several services by path prefix (a services file's
 * `routes`): requests go to the service's own port, unchanged. A service
 * that is not online gets 503; a path no prefix matches, 404.
 */
export class RouteFront {
  private readonly server: Server;
  private readonly agent = createUpstreamAgent();

  constructor(readonly table: RouteTable, private readonly host: string, private readonly portOf: (service: string) => number | null) {
    this.server = createServer((req, res) => {
      const target = this.target(req);
      if (target === 'unmatched') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('no route for this path\n');
      if (target === null) return replyUnavailable(res, 'service not online');
      forwardRequest(req, res, { port: target, agent: this.agent, done: () => undefined });
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      const target = this.target(req);
      if (typeof target === 'number') tunnelUpgrade(req, socket, head, target);
      else socket.destroy();
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port: this.table.port, host: this.host, exclusive: true }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  close(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private target(req: IncomingMessage): number | null | 'unmatched' {
    const service = matchRoute(this.table.paths, req.url ?? '/');
    if (service === null) return 'unmatched';
    return this.portOf(service);
  }
}

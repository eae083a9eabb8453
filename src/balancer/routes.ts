import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ServiceRequests } from '../metrics/service-requests.js';
import type { RouteTable, ServiceDefinition } from '../types.js';
import type { Balancer } from './balancer.js';
import { closeServer, createFrontServer, listenOn } from './front-server.js';
import { DirectHost } from './direct-host.js';
import { DEFAULT_HEADER_TIMEOUT_MS, DEFAULT_KEEP_ALIVE_TIMEOUT_MS } from './traffic-settings.js';
import { loadUndici } from './upstream.js';

export interface RouteMatch {
  /** The prefix as configured, without a trailing slash ("/" stays "/"). */
  prefix: string;
  service: string;
}

/** Pure: the route for a request path, by the longest matching prefix ("/api" matches "/api" and "/api/x", not "/apix"). */
export function matchRoute(paths: Record<string, string>, url: string): RouteMatch | null {
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  let best: string | null = null;
  let service: string | null = null;
  for (const [prefix, name] of Object.entries(paths)) {
    const trimmed = prefix.length > 1 && prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
    const matches = trimmed === '/' || path === trimmed || path.startsWith(`${trimmed}/`);
    if (matches && (best === null || trimmed.length > best.length)) {
      best = trimmed;
      service = name;
    }
  }
  return best === null || service === null ? null : { prefix: best, service };
}

/** Pure: the URL an instance sees once `prefix` is stripped ("/api/users?x" → "/users?x", "/api" → "/"). */
export function stripPrefix(url: string, prefix: string): string {
  if (prefix === '/') return url;
  const rest = url.slice(prefix.length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/** A routed service while it is online: its balancer, or its one instance's port. */
export interface RouteTarget {
  definition: ServiceDefinition;
  requests: ServiceRequests;
  balancer: Balancer | null;
  port: number;
  writeAccess: (instance: number, lines: string) => void;
}

/**
 * One port fronting several services by path prefix (a services file's
 * `routes`). A balanced service gets the request in-process from its
 * balancer (one hop, one count); a single-instance one through this
 * front's own pool to its port. Forwarded headers, timeouts, metrics (per
 * route) and access log follow the target service's settings. A service that
 * is not online gets 503; a path no prefix matches, 404.
 */
export class RouteFront {
  private readonly server: Server;
  private readonly direct = new Map<string, DirectHost>();

  constructor(
    readonly table: RouteTable,
    private readonly host: string,
    private readonly targetOf: (service: string) => RouteTarget | null,
  ) {
    this.server = createFrontServer(
      { headerTimeoutMs: DEFAULT_HEADER_TIMEOUT_MS, keepAliveTimeoutMs: DEFAULT_KEEP_ALIVE_TIMEOUT_MS },
      (req, res) => this.handle(req, res),
      (req, socket, head) => this.handleUpgrade(req, socket, head),
    );
  }

  async listen(): Promise<void> {
    await loadUndici();
    await listenOn(this.server, this.table.port, this.host);
  }

  async close(): Promise<void> {
    await Promise.all([...this.direct.values()].map((host) => host.close()));
    this.direct.clear();
    await closeServer(this.server);
  }

  /** Closes the direct pools of services that are gone or not online. */
  prune(): void {
    for (const service of [...this.direct.keys()]) this.targetFor(service);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const match = matchRoute(this.table.paths, url);
    if (!match) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('no route for this path\n');
    const target = this.targetFor(match.service);
    if (!target) return void res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' }).end('service not online\n');
    const path = this.table.strip ? stripPrefix(url, match.prefix) : url;
    const extra = this.table.strip && match.prefix !== '/' ? ['x-forwarded-prefix', match.prefix] : [];
    if (target.balancer) target.balancer.handle(req, res, match.prefix, path, extra);
    else this.directHost(match.service, target).handle(req, res, match.prefix, path, extra);
  }

  private handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = req.url ?? '/';
    const match = matchRoute(this.table.paths, url);
    const target = match ? this.targetFor(match.service) : null;
    if (!match || !target) return void socket.destroy();
    const path = this.table.strip ? stripPrefix(url, match.prefix) : url;
    if (target.balancer) target.balancer.handleUpgrade(req, socket, head, path);
    else this.directHost(match.service, target).handleUpgrade(req, socket, head, path);
  }

  private targetFor(service: string): RouteTarget | null {
    const target = this.targetOf(service);
    const known = this.direct.get(service);
    // A service stopped, deleted or now balanced: its direct pool goes.
    if (known && (!target || target.balancer || !known.serves(target))) {
      this.direct.delete(service);
      void known.close();
    }
    return target;
  }

  private directHost(service: string, target: RouteTarget): DirectHost {
    let host = this.direct.get(service);
    if (!host) this.direct.set(service, (host = new DirectHost(target)));
    return host;
  }
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ServiceRequests } from '../metrics/service-requests.js';
import { AccessLog } from './access-log.js';
import { Exchange, type ExchangeHost } from './exchange.js';
import type { RouteTarget } from './routes.js';
import { resolveTrafficSettings, type TrafficSettings } from './traffic-settings.js';
import { openTunnel } from './tunnel.js';
import { Upstream } from './upstream.js';

/** A routes port's way to a single-instance service: one upstream, the service's settings, no queue. */
export class DirectHost implements ExchangeHost {
  readonly settings: TrafficSettings;
  readonly requests: ServiceRequests;
  readonly accessLog: AccessLog | null;
  private readonly upstream: Upstream;

  constructor(private readonly target: RouteTarget) {
    this.settings = resolveTrafficSettings(target.definition);
    this.requests = target.requests;
    this.accessLog = this.settings.accessLog ? new AccessLog(target.writeAccess) : null;
    this.upstream = new Upstream(0, target.port, this.settings);
  }

  /** Still the same service on the same port (not one deleted and started again). */
  serves(target: RouteTarget): boolean {
    return target.requests === this.requests && target.port === this.upstream.port;
  }

  handle(req: IncomingMessage, res: ServerResponse, route: string, path: string, extraHeaders: string[]): void {
    new Exchange(this, req, res, route, path, extraHeaders).send(this.upstream);
  }

  handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer, path: string): void {
    openTunnel(req, socket, head, this.upstream, this.settings, path);
  }

  release(): void {}

  retry(): boolean {
    return false;
  }

  abandon(): void {}

  async close(): Promise<void> {
    await this.upstream.drain(0);
    this.accessLog?.flush();
  }
}

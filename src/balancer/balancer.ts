import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ServiceDefinition } from '../types.js';
import type { ServiceRequests } from '../metrics/service-requests.js';
import { AccessLog } from './access-log.js';
import { chooseBackend, type Choice } from './choose-backend.js';
import { Exchange, type ExchangeHost } from './exchange.js';
import { closeServer, createFrontServer, listenOn } from './front-server.js';
import { readStickyIndex, stickyCookie } from './sticky.js';
import { openTunnel } from './tunnel.js';
import { summarizePool, type PoolLoad } from './pool-load.js';
import { resolveTrafficSettings, type TrafficSettings } from './traffic-settings.js';
import { Upstream, loadUndici } from './upstream.js';
import { WaitQueue } from './wait-queue.js';

const DOWN_FOR_MS = 1_000;
const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const CONNECTION_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

export interface BalancerOptions {
  port: number;
  host: string;
  definition: ServiceDefinition;
  requests: ServiceRequests;
  /** Where access lines go (the service's out log). */
  writeAccess: (instance: number, lines: string) => void;
  /** Autoscaled services: a request that finds no instance ready waits for one (cold start) instead of a 503. */
  scaling?: ScalingHooks;
}

export interface ScalingHooks {
  /** A request is waiting with no instance ready: start one. */
  demand(): void;
  /** A request waited coldStartTimeout in vain (answered 503). */
  expired(): void;
}

/**
 * Fronts a service's port: each request goes to the ready instance with the
 * fewest requests in flight (chooseBackend). With maxInflight, a request that
 * finds every instance full waits in a queue for queueTimeout (503 after it,
 * or at once past queueLimit). Draining an instance (reload, stop) waits for
 * what is in flight on it at most drainTimeout, then closes it.
 */
export class Balancer implements ExchangeHost {
  readonly settings: TrafficSettings;
  readonly requests: ServiceRequests;
  readonly accessLog: AccessLog | null;
  private readonly server: Server;
  private upstreams: Upstream[] = [];
  private readonly leaving = new Set<Upstream>();
  private readonly queue: WaitQueue<Exchange>;
  /** Requests waiting while no instance is ready (autoscaled services), for coldStartTimeout. */
  private readonly coldQueue: WaitQueue<Exchange> | null;
  /** Autoscaled: ties go to the lowest index, so a trickle leaves the surplus instances idle (and they scale down). */
  private readonly pack: boolean;
  /** Reused for every choice: one object, not one per request. */
  private readonly choice: Choice = { limit: Infinity, stickyIndex: null, cursor: 0, now: 0 };
  private stopping = false;

  constructor(private readonly options: BalancerOptions) {
    this.settings = resolveTrafficSettings(options.definition);
    this.requests = options.requests;
    this.accessLog = this.settings.accessLog ? new AccessLog(options.writeAccess) : null;
    this.queue = new WaitQueue<Exchange>(this.settings.queueTimeoutMs, (exchange) =>
      exchange.reply(503, `no instance was free within ${this.settings.queueTimeoutMs} ms`),
    );
    const autoscale = options.definition.autoscale;
    this.pack = autoscale !== undefined;
    this.coldQueue =
      autoscale && options.scaling
        ? new WaitQueue<Exchange>(autoscale.coldStartTimeoutMs, (exchange) => {
            options.scaling!.expired();
            exchange.reply(503, `no instance became ready within ${autoscale.coldStartTimeoutMs} ms (cold start)`);
          })
        : null;
    this.server = createFrontServer(
      this.settings,
      (req, res) => this.handle(req, res),
      (req, socket, head) => this.handleUpgrade(req, socket, head),
    );
  }

  async listen(): Promise<void> {
    await loadUndici();
    await listenOn(this.server, this.options.port, this.options.host);
  }

  add(index: number, port: number): void {
    if (this.upstreams.some((upstream) => upstream.index === index && upstream.port === port)) return;
    // In index order: packing sends ties to the lowest.
    this.upstreams = [...this.upstreams, new Upstream(index, port, this.settings)].sort((a, b) => a.index - b.index);
    this.startQueued();
  }

  /** Takes an instance out of rotation; resolves when what it had in flight is done, or closed at the drain deadline. */
  async remove(index: number, port: number, drainTimeoutMs = this.settings.drainTimeoutMs): Promise<void> {
    const upstream = this.upstreams.find((item) => item.index === index && item.port === port);
    if (!upstream) return;
    this.upstreams = this.upstreams.filter((item) => item !== upstream);
    this.leaving.add(upstream);
    await upstream.drain(drainTimeoutMs);
    this.leaving.delete(upstream);
  }

  /** Stop: new requests get 503, queued ones too; in-flight ones get drainTimeout, then are closed. */
  async drain(): Promise<void> {
    this.stopping = true;
    this.queue.clear((exchange) => exchange.reply(503, 'service stopping'));
    this.coldQueue?.clear((exchange) => exchange.reply(503, 'service stopping'));
    await Promise.all(this.upstreams.map((upstream) => this.remove(upstream.index, upstream.port)));
  }

  async close(): Promise<void> {
    await this.drain();
    await closeServer(this.server);
    this.accessLog?.flush();
  }

  /** One request, from this port or from a routes port (`route`: its prefix, `path`: what the instance is asked for). */
  handle(req: IncomingMessage, res: ServerResponse, route = '', path = req.url ?? '/', extraHeaders?: string[]): void {
    const exchange = new Exchange(this, req, res, route, path, extraHeaders);
    if (this.stopping) return exchange.reply(503, 'service stopping');
    this.dispatch(exchange);
  }

  handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer, path = req.url ?? '/'): void {
    const upstream = this.stopping ? null : this.choose(req, Infinity);
    if (upstream) return openTunnel(req, socket, head, upstream, this.settings, path);
    socket.destroy();
    // A WebSocket is not held through a cold start; its client's retry finds the instance this starts.
    if (!this.stopping && this.upstreams.length === 0) this.options.scaling?.demand();
  }

  release(upstream: Upstream): void {
    if (!this.leaving.has(upstream)) this.startQueued();
  }

  retry(exchange: Exchange, error: NodeJS.ErrnoException, failed: Upstream | null): boolean {
    if (!CONNECTION_FAILURES.has(error.code ?? '')) return false;
    if (failed) failed.downUntil = Date.now() + DOWN_FOR_MS;
    // No answer came back: a body-less safe method can go to another instance.
    if (exchange.hasBody || !RETRYABLE_METHODS.has(exchange.req.method ?? '') || exchange.attempts >= 3 || this.stopping) return false;
    this.dispatch(exchange);
    return true;
  }

  abandon(exchange: Exchange): void {
    if (this.coldQueue?.holds(exchange)) this.coldQueue.cancel(exchange);
    else this.queue.cancel(exchange);
  }

  /** The pool's load and each instance's idle clock, for the autoscaler. */
  load(now = Date.now()): PoolLoad {
    return summarizePool(this.upstreams, this.queue.size, this.coldQueue?.size ?? 0, now);
  }

  private dispatch(exchange: Exchange): void {
    if (this.upstreams.length === 0) {
      if (!this.coldQueue) return exchange.reply(503, 'no instance is ready');
      this.coldQueue.push(exchange, performance.now());
      return this.options.scaling!.demand();
    }
    const upstream = this.choose(exchange.req, this.settings.maxInflight);
    if (upstream) return this.send(exchange, upstream);
    const { queueLimit } = this.settings;
    if (queueLimit !== null && this.queue.size >= queueLimit) return exchange.reply(503, 'every instance is busy and the queue is full');
    this.queue.push(exchange, performance.now());
  }

  private send(exchange: Exchange, upstream: Upstream): void {
    if (this.settings.sticky && readStickyIndex(exchange.req.headers.cookie) !== upstream.index) exchange.setCookie = stickyCookie(upstream.index);
    exchange.send(upstream);
  }

  private choose(req: IncomingMessage, limit: number): Upstream | null {
    const choice = this.choice;
    choice.limit = limit;
    choice.stickyIndex = this.settings.sticky ? readStickyIndex(req.headers.cookie) : null;
    if (!this.pack) choice.cursor++;
    choice.now = Date.now();
    return chooseBackend(this.upstreams, choice);
  }

  /** Those that waited for a cold start first: they came before anyone queued for a busy instance. */
  private startQueued(): void {
    if (this.coldQueue) this.startFrom(this.coldQueue);
    this.startFrom(this.queue);
  }

  private startFrom(queue: WaitQueue<Exchange>): void {
    while (queue.size > 0) {
      const next = queue.peek()!;
      const upstream = this.choose(next.req, this.settings.maxInflight);
      if (!upstream) return;
      queue.shift();
      this.send(next, upstream);
    }
  }
}

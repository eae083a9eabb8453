import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { pickBackend, type Backend } from './pick.js';
import { createUpstreamAgent, forwardRequest, isConnectionFailure, isRetryable, replyUnavailable, tunnelUpgrade } from './proxy.js';
import { readStickyIndex, stickyCookie } from './sticky.js';

const DOWN_FOR_MS = 1_000;

export interface BalancerOptions {
  port: number;
  host: string;
  /** Requests in flight per instance; above it requests wait in a bounded queue. */
  maxInflight?: number;
  sticky?: boolean;
}

interface Waiting {
  req: IncomingMessage;
  res: ServerResponse;
}

/**
 * Fronts a service's port: each request goes to the ready instance with the
 * fewest requests in flight. Instances that are not ready (starting, being
 * replaced, dead) are not in the pool. With maxInflight, a request that finds
 * every instance full waits in a queue (as long as all instances' capacity);
 * when that is full too it gets 503 at once.
 */
export class Balancer {
  private readonly server: Server;
  private readonly agent = createUpstreamAgent();
  private backends: Backend[] = [];
  private cursor = 0;
  private drains = new Map<Backend, Array<() => void>>();
  private queue: Waiting[] = [];

  constructor(private readonly options: BalancerOptions) {
    this.server = createServer((req, res) => this.dispatch(req, res, 0));
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      const backend = pickBackend(this.backends, this.cursor++, Date.now());
      if (backend) tunnelUpgrade(req, socket, head, backend.port);
      else socket.destroy();
    });
    this.server.keepAliveTimeout = 5_000;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port: this.options.port, host: this.options.host, exclusive: true }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  add(index: number, port: number): void {
    if (this.backends.some((backend) => backend.index === index && backend.port === port)) return;
    this.backends.push({ index, port, inflight: 0 });
    this.drainQueue();
  }

  /** Takes an instance out of rotation and resolves when its in-flight requests are done. */
  remove(index: number, port: number): Promise<void> {
    const backend = this.backends.find((item) => item.index === index && item.port === port);
    if (!backend) return Promise.resolve();
    this.backends = this.backends.filter((item) => item !== backend);
    if (backend.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drains.set(backend, [...(this.drains.get(backend) ?? []), resolve]));
  }

  close(): Promise<void> {
    for (const waiting of this.queue) replyUnavailable(waiting.res, 'service stopping');
    this.queue = [];
    this.agent.destroy();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private dispatch(req: IncomingMessage, res: ServerResponse, attempt: number): void {
    if (this.backends.length === 0) return replyUnavailable(res, 'no instance is ready');
    const backend = this.choose(req);
    if (!backend) {
      const capacity = this.options.maxInflight! * Math.max(1, this.backends.length);
      if (this.queue.length >= capacity) return replyUnavailable(res, 'every instance is busy and the queue is full');
      this.queue.push({ req, res });
      res.once('close', () => (this.queue = this.queue.filter((waiting) => waiting.res !== res)));
      return;
    }
    backend.inflight++;
    const sticky = this.options.sticky && readStickyIndex(req.headers.cookie) !== backend.index;
    forwardRequest(req, res, {
      port: backend.port,
      agent: this.agent,
      headers: sticky ? ['Set-Cookie', stickyCookie(backend.index)] : [],
      done: () => this.release(backend),
      retry: (error) => {
        if (isConnectionFailure(error)) backend.downUntil = Date.now() + DOWN_FOR_MS;
        // No answer came back: a safe (idempotent) method can go to another instance.
        if (!isRetryable(req, res, error) || attempt >= 3) return false;
        this.dispatch(req, res, attempt + 1);
        return true;
      },
    });
  }

  /** Sticky instance when asked and it has room; else least in flight with room; null when all are full. */
  private choose(req: IncomingMessage): Backend | null {
    const limit = this.options.maxInflight ?? Infinity;
    const open = this.backends.filter((backend) => backend.inflight < limit);
    if (this.options.sticky) {
      const wanted = readStickyIndex(req.headers.cookie);
      const stuck = open.find((backend) => backend.index === wanted);
      if (stuck) return stuck;
    }
    return pickBackend(open, this.cursor++, Date.now());
  }

  private release(backend: Backend): void {
    backend.inflight--;
    if (backend.inflight === 0) {
      const waiting = this.drains.get(backend);
      this.drains.delete(backend);
      for (const resolve of waiting ?? []) resolve();
    }
    this.drainQueue();
  }

  private drainQueue(): void {
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (!this.choose(next.req)) return;
      this.queue.shift();
      this.dispatch(next.req, next.res, 0);
    }
  }
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { RequestStats } from '../metrics/request-stats.js';
import type { ServiceRequests } from '../metrics/service-requests.js';
import { NO_INSTANCE } from '../metrics/service-requests.js';
import type { AccessLog } from './access-log.js';
import { buildUpstreamHeaders } from './forwarded-headers.js';
import { endToEndRawHeaders } from './hop-by-hop.js';
import { plainAddress } from './trust-proxy.js';
import type { TrafficSettings } from './traffic-settings.js';
import type { Closable, Upstream } from './upstream.js';
import type { Queued } from './wait-queue.js';

/** What an exchange reports to: a balancer, or a routes port fronting one instance. */
export interface ExchangeHost {
  readonly settings: TrafficSettings;
  readonly requests: ServiceRequests;
  readonly accessLog: AccessLog | null;
  /** The upstream is done with it: free its capacity (and start whoever waits). */
  release(upstream: Upstream): void;
  /** It failed before any answer from `failed`: true when the host sent it elsewhere. */
  retry(exchange: Exchange, error: NodeJS.ErrnoException, failed: Upstream | null): boolean;
  /** It ended while waiting in the queue. */
  abandon(exchange: Exchange): void;
}

const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);
/** nginx's code for "the client closed the connection before the answer". */
export const CLIENT_CLOSED = 499;
const EXCHANGE = Symbol('exchange');
type Tagged = ServerResponse & { [EXCHANGE]?: Exchange };

// Listeners shared by every exchange (no closure per request): `this` is the response.
function onClientClose(this: Tagged): void {
  this[EXCHANGE]?.clientClosed();
}
function onClientDrain(this: Tagged): void {
  this[EXCHANGE]?.clientDrained();
}
function onSendTimeout(exchange: Exchange): void {
  exchange.abort();
}

/**
 * One request through the proxy, from arrival to the last byte out: it is
 * the undici handler itself (no closures), streams the answer with
 * backpressure, drops a client that stops reading after sendTimeout, and
 * records metrics and the access log line exactly once.
 */
export class Exchange implements Dispatcher.DispatchHandler, Queued, Closable {
  readonly startedAt = performance.now();
  readonly headers: string[];
  readonly requestId: string;
  /** A body follows: the request streams it, and may not be retried elsewhere. */
  readonly hasBody: boolean;
  queueDeadline = 0;
  queueSlot = -1;
  attempts = 0;
  /** Sticky: a Set-Cookie to add to the answer. */
  setCookie: string | null = null;
  private upstream: Upstream | null = null;
  private instance = NO_INSTANCE;
  /** The counters of (instance, route), looked up once per attempt. */
  private stats: RequestStats | null = null;
  /** undici's handles on the upstream request (its callback-style handler API). */
  private abortUpstream: ((reason?: Error) => void) | null = null;
  private resumeUpstream: (() => void) | null = null;
  private sendTimer: NodeJS.Timeout | null = null;
  private status = 0;
  private done = false;

  constructor(
    private readonly host: ExchangeHost,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly route: string,
    /** What the instance is asked for (the URL, minus a stripped routes prefix). */
    private readonly path: string,
    extraHeaders: string[] = [],
  ) {
    const address = plainAddress(req.socket.remoteAddress);
    const upstreamHeaders = buildUpstreamHeaders(req.rawHeaders, { address, trusted: host.settings.isTrustedProxy(address) });
    this.headers = extraHeaders.length > 0 ? [...upstreamHeaders.headers, ...extraHeaders] : upstreamHeaders.headers;
    this.requestId = upstreamHeaders.requestId;
    this.hasBody = upstreamHeaders.hasBody;
    (res as Tagged)[EXCHANGE] = this;
    res.once('close', onClientClose);
  }

  send(upstream: Upstream): void {
    this.upstream = upstream;
    this.instance = upstream.index;
    this.attempts++;
    upstream.inflight++;
    upstream.track(this);
    this.stats = this.host.requests.statsFor(upstream.index, this.route);
    this.stats.inflight++;
    try {
      upstream.pool.dispatch({ path: this.path, method: this.req.method!, headers: this.headers, body: this.hasBody ? this.req : null }, this);
    } catch (error) {
      this.onError(error as Error);
    }
  }

  /** The proxy answers itself (no capacity, queue timeout, stopping). */
  reply(status: number, message: string): void {
    if (this.done) return;
    if (!this.res.headersSent) {
      this.res.writeHead(status, { 'content-type': 'text/plain', 'x-request-id': this.requestId, ...(status === 503 ? { 'retry-after': '1' } : {}) });
      this.res.end(`${message}\n`);
    } else this.res.destroy();
    this.finish(status);
  }

  /** Drain deadline, stalled client: close the client's side; the upstream request is aborted with it. */
  abort(): void {
    this.res.destroy();
  }

  // undici's callback-style handler: measured 3-5 µs a request cheaper than the controller
  // style, which undici wraps around these and which parses every header into an object.
  onConnect(abort: (reason?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.done) abort(new Error('client went away'));
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void): boolean {
    if (status < 200 || this.done) return true;
    this.resumeUpstream = resume;
    const { headers, hasRequestId } = endToEndRawHeaders(raw);
    if (!hasRequestId) headers.push('x-request-id', this.requestId);
    if (this.setCookie) headers.push('set-cookie', this.setCookie);
    this.status = status;
    this.res.writeHead(status, headers);
    return true;
  }

  /** false pauses the upstream until the client drains (or sendTimeout drops it). */
  onData(chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true;
    if (this.sendTimer === null) {
      this.res.once('drain', onClientDrain);
      this.sendTimer = setTimeout(onSendTimeout, this.host.settings.sendTimeoutMs, this);
    }
    return false;
  }

  onComplete(): void {
    this.res.end();
    this.finish(this.status);
  }

  onError(error: Error): void {
    if (this.done) return;
    const failed = this.upstream;
    this.leaveUpstream();
    if (!this.res.headersSent && this.host.retry(this, error as NodeJS.ErrnoException, failed)) return;
    const code = (error as NodeJS.ErrnoException).code ?? error.message;
    if (TIMEOUTS.has(code)) this.reply(504, `upstream timeout: ${code}`);
    else this.reply(502, `upstream error: ${code}`);
  }

  clientDrained(): void {
    if (this.sendTimer) clearTimeout(this.sendTimer);
    this.sendTimer = null;
    this.resumeUpstream?.();
  }

  clientClosed(): void {
    if (this.done) return;
    // Finished first: the abort calls onResponseError at once, which must find the exchange over.
    this.finish(this.res.headersSent ? this.status : CLIENT_CLOSED);
    this.abortUpstream?.(new Error('client went away'));
  }

  private finish(status: number): void {
    if (this.done) return;
    this.done = true;
    if (this.sendTimer) clearTimeout(this.sendTimer);
    if (this.queueSlot >= 0) this.host.abandon(this);
    const seconds = (performance.now() - this.startedAt) / 1000;
    (this.stats ?? this.host.requests.statsFor(this.instance, this.route)).record(status, seconds, Date.now());
    this.host.accessLog?.add({
      method: this.req.method ?? '-',
      path: this.req.url ?? '/',
      status,
      durationMs: seconds * 1000,
      instance: this.instance,
      requestId: this.requestId,
    });
    this.leaveUpstream();
  }

  private leaveUpstream(): void {
    const upstream = this.upstream;
    if (!upstream) return;
    this.upstream = null;
    upstream.inflight--;
    this.stats!.inflight--;
    upstream.untrack(this);
    this.host.release(upstream);
  }
}

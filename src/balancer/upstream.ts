import type { Socket } from 'node:net';
import type { Pool } from 'undici';
import type { Backend } from './choose-backend.js';
import type { TrafficSettings } from './traffic-settings.js';

let PoolClass: typeof Pool | null = null;

/**
 * Imports undici (once). A dynamic import, so that even the bundled
 * `apictl daemon` loads it only when a balancer or routes port opens.
 */
export async function loadUndici(): Promise<void> {
  PoolClass ??= (await import('undici')).Pool;
}

/** What a drain deadline closes: an exchange (request in flight) or a tunnel (WebSocket). */
export interface Closable {
  abort(): void;
}

/**
 * One instance as the proxy sees it: its private port, a keep-alive pool of
 * connections to it (as many as there are requests: a client that stalls
 * holds one connection, never everyone's), and what is in flight on it.
 */
export class Upstream implements Backend {
  inflight = 0;
  downUntil?: number;
  /** When it last had nothing open (or joined the pool), ms since epoch: the autoscaler's idle clock. */
  lastActiveAt = Date.now();
  readonly pool: Pool;
  readonly open = new Set<Closable>();
  private idle: Array<() => void> = [];

  constructor(
    readonly index: number,
    readonly port: number,
    settings: TrafficSettings,
  ) {
    if (!PoolClass) throw new Error('loadUndici() first');
    this.pool = new PoolClass(`http://127.0.0.1:${port}`, {
      connections: null,
      pipelining: 1,
      connectTimeout: settings.connectTimeoutMs,
      headersTimeout: settings.upstreamTimeoutMs,
      // A response body may idle (SSE): the drain deadline and sendTimeout bound it instead.
      bodyTimeout: 0,
      keepAliveTimeout: 4_000,
    });
  }

  track(item: Closable): void {
    this.open.add(item);
  }

  untrack(item: Closable): void {
    this.open.delete(item);
    if (this.open.size === 0) this.lastActiveAt = Date.now();
    if (this.open.size === 0 && this.idle.length > 0) {
      const waiting = this.idle;
      this.idle = [];
      for (const resolve of waiting) resolve();
    }
  }

  /** Resolves when nothing is open on it, or after `deadlineMs` once what is left was closed. */
  async drain(deadlineMs: number): Promise<void> {
    if (this.open.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<void>((resolve) => this.idle.push(resolve));
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), deadlineMs)));
      const outcome = await Promise.race([idle, late]);
      clearTimeout(timer);
      if (outcome === 'late') for (const item of [...this.open]) item.abort();
    }
    await this.pool.destroy().catch(() => undefined);
  }
}

/** A tunnel's two sockets as one Closable. */
export function trackTunnel(upstream: Upstream, client: Socket, server: Socket): void {
  const tunnel: Closable = {
    abort: () => {
      client.destroy();
      server.destroy();
    },
  };
  upstream.track(tunnel);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    tunnel.abort();
    upstream.untrack(tunnel);
  };
  client.once('close', close);
  server.once('close', close);
  // Client sockets allow half-open connections: a client that sent FIN is gone for a WebSocket, so close both.
  client.once('end', close);
}

import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { pickBackend, type Backend } from './pick.js';

const RETRYABLE = new Set(['GET', 'HEAD', 'OPTIONS']);
const CONNECTION_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']);
const DOWN_FOR_MS = 1_000;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'upgrade']);

/** Upstream headers as a flat [name, value, ...] list, minus per-connection ones. */
function endToEndHeaders(raw: string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < raw.length; index += 2) {
    if (!HOP_BY_HOP.has(raw[index]!.toLowerCase())) kept.push(raw[index]!, raw[index + 1]!);
  }
  return kept;
}

/**
 * Fronts a service's port when it runs several instances: each request goes to
 * the ready instance with the fewest requests in flight. Instances that are
 * not ready (starting, being replaced, dead) are simply not in the pool.
 */
export class Balancer {
  private readonly server: Server;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private backends: Backend[] = [];
  private cursor = 0;
  private drains = new Map<Backend, Array<() => void>>();

  constructor(private readonly port: number, private readonly host: string) {
    this.server = createServer((req, res) => this.forward(req, res, 0));
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.tunnel(req, socket, head));
    this.server.keepAliveTimeout = 5_000;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port: this.port, host: this.host, exclusive: true }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  add(index: number, port: number): void {
    if (!this.backends.some((backend) => backend.index === index && backend.port === port)) {
      this.backends.push({ index, port, inflight: 0 });
    }
  }

  /** Takes an instance out of rotation and resolves when its in-flight requests are done. */
  remove(index: number, port: number): Promise<void> {
    const backend = this.backends.find((item) => item.index === index && item.port === port);
    if (!backend) return Promise.resolve();
    this.backends = this.backends.filter((item) => item !== backend);
    if (backend.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drains.set(backend, [...(this.drains.get(backend) ?? []), resolve]));
  }

  inflight(): number {
    return this.backends.reduce((sum, backend) => sum + backend.inflight, 0);
  }

  close(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private forward(req: IncomingMessage, res: ServerResponse, attempt: number): void {
    const backend = pickBackend(this.backends, this.cursor++, Date.now());
    if (!backend) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' }).end('no instance is ready\n');
      return;
    }
    backend.inflight++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      backend.inflight--;
      if (backend.inflight === 0) this.finishDrain(backend);
    };
    const upstream = request(
      { host: '127.0.0.1', port: backend.port, method: req.method, path: req.url, headers: req.headers, agent: this.agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, endToEndHeaders(answer.rawHeaders));
        answer.pipe(res);
        answer.once('end', release);
        answer.once('error', release);
      },
    );
    upstream.once('error', (error: NodeJS.ErrnoException) => {
      release();
      const connectionFailed = CONNECTION_FAILURES.has(error.code ?? '');
      if (connectionFailed) backend.downUntil = Date.now() + DOWN_FOR_MS;
      // No answer came back: a safe (idempotent) method can go to another instance.
      if (!res.headersSent && connectionFailed && RETRYABLE.has(req.method ?? '') && attempt < 3) {
        this.forward(req, res, attempt + 1);
        return;
      }
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`upstream error: ${error.code ?? error.message}\n`);
      else res.destroy();
    });
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
      release();
    });
    req.pipe(upstream);
  }

  private tunnel(req: IncomingMessage, client: Socket, head: Buffer): void {
    const backend = pickBackend(this.backends, this.cursor++, Date.now());
    if (!backend) return void client.destroy();
    const upstream = connect({ host: '127.0.0.1', port: backend.port }, () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let index = 0; index < req.rawHeaders.length; index += 2) lines.push(`${req.rawHeaders[index]}: ${req.rawHeaders[index + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.once('error', () => client.destroy());
    client.once('error', () => upstream.destroy());
  }

  private finishDrain(backend: Backend): void {
    const waiting = this.drains.get(backend);
    if (!waiting) return;
    this.drains.delete(backend);
    for (const resolve of waiting) resolve();
  }
}

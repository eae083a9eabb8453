import { Agent, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';

const RETRYABLE = new Set(['GET', 'HEAD', 'OPTIONS']);
const CONNECTION_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']);
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'upgrade']);

export function createUpstreamAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 256 });
}

/** Upstream headers as a flat [name, value, ...] list, minus per-connection ones. */
function endToEndHeaders(raw: string[], extra: string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < raw.length; index += 2) {
    if (!HOP_BY_HOP.has(raw[index]!.toLowerCase())) kept.push(raw[index]!, raw[index + 1]!);
  }
  return [...kept, ...extra];
}

export interface ForwardOptions {
  port: number;
  agent: Agent;
  /** Extra response headers (a sticky cookie). */
  headers?: string[];
  /** Called once when the exchange is over, however it ended. */
  done: () => void;
  /** The connection failed before any answer: return true when the caller retried elsewhere. */
  retry?: (error: NodeJS.ErrnoException) => boolean;
}

/** True when a failed request may go to another backend (nothing reached this one). */
export function isRetryable(req: IncomingMessage, res: ServerResponse, error: NodeJS.ErrnoException): boolean {
  return !res.headersSent && CONNECTION_FAILURES.has(error.code ?? '') && RETRYABLE.has(req.method ?? '');
}

export function isConnectionFailure(error: NodeJS.ErrnoException): boolean {
  return CONNECTION_FAILURES.has(error.code ?? '');
}

/** A request with no body to stream (GET, HEAD, ... without content-length or transfer-encoding). */
function hasNoBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0');
}

/**
 * Proxies one HTTP request to 127.0.0.1:port and streams the answer back.
 * Headers go through as flat arrays (no per-header validation and
 * lower-casing on the hot path), hop-by-hop ones dropped both ways.
 */
export function forwardRequest(req: IncomingMessage, res: ServerResponse, options: ForwardOptions): void {
  let finished = false;
  const done = () => {
    if (finished) return;
    finished = true;
    options.done();
  };
  const upstream = request(
    {
      host: '127.0.0.1',
      port: options.port,
      method: req.method,
      path: req.url,
      headers: endToEndHeaders(req.rawHeaders, []),
      agent: options.agent,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, endToEndHeaders(answer.rawHeaders, options.headers ?? []));
      answer.on('data', (chunk: Buffer) => {
        if (!res.write(chunk)) answer.pause();
      });
      res.on('drain', () => answer.resume());
      answer.once('end', () => {
        res.end();
        done();
      });
      answer.once('error', () => {
        res.destroy();
        done();
      });
    },
  );
  upstream.once('error', (error: NodeJS.ErrnoException) => {
    done();
    if (options.retry?.(error)) return;
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`upstream error: ${error.code ?? error.message}\n`);
    else res.destroy();
  });
  res.once('close', () => {
    if (!res.writableFinished) upstream.destroy();
    done();
  });
  if (hasNoBody(req)) upstream.end();
  else req.pipe(upstream);
}

/** Passes a WebSocket (or other upgrade) through to 127.0.0.1:port as raw bytes. */
export function tunnelUpgrade(req: IncomingMessage, client: Socket, head: Buffer, port: number): void {
  const upstream = connect({ host: '127.0.0.1', port }, () => {
    const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
    for (let index = 0; index < req.rawHeaders.length; index += 2) lines.push(`${req.rawHeaders[index]}: ${req.rawHeaders[index + 1]}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client).pipe(upstream);
  });
  upstream.once('error', () => client.destroy());
  client.once('error', () => upstream.destroy());
}

export function replyUnavailable(res: ServerResponse, message: string): void {
  res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' }).end(`${message}\n`);
}

import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { buildUpstreamHeaders } from './forwarded-headers.js';
import { plainAddress } from './trust-proxy.js';
import type { TrafficSettings } from './traffic-settings.js';
import { trackTunnel, type Upstream } from './upstream.js';

/**
 * Passes a WebSocket (or other upgrade) through to the instance as raw bytes,
 * with the same forwarded headers as a request (Connection/Upgrade kept: they
 * are the upgrade). Tracked on the upstream, so a drain deadline closes it.
 */
export function openTunnel(req: IncomingMessage, client: Socket, head: Buffer, upstream: Upstream, settings: TrafficSettings, path: string): void {
  const address = plainAddress(req.socket.remoteAddress);
  const { headers } = buildUpstreamHeaders(req.rawHeaders, { address, trusted: settings.isTrustedProxy(address) });
  const server = connect({ host: '127.0.0.1', port: upstream.port });
  trackTunnel(upstream, client, server);
  server.setTimeout(settings.connectTimeoutMs, () => server.destroy());
  server.once('connect', () => {
    server.setTimeout(0);
    const lines = [`${req.method} ${path} HTTP/1.1`];
    for (let index = 0; index < headers.length; index += 2) lines.push(`${headers[index]}: ${headers[index + 1]}`);
    lines.push('Connection: Upgrade', `Upgrade: ${req.headers.upgrade ?? ''}`);
    server.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) server.write(head);
    server.pipe(client).pipe(server);
  });
  server.once('error', () => client.destroy());
  client.once('error', () => server.destroy());
}

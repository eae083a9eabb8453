import { randomUUID } from 'node:crypto';
import { connectionTokens, isHopByHop } from './hop-by-hop.js';

/** What the proxy knows about the client's side of a request. */
export interface ClientSide {
  /** The peer's address, as plainAddress() gives it. */
  address: string;
  /** The peer is a proxy we trust: what it says about the client is kept. */
  trusted: boolean;
}

export interface UpstreamHeaders {
  /** Flat [name, value, ...] list, as both node:http and undici take it. */
  headers: string[];
  requestId: string;
  /** A body follows (Content-Length > 0 or Transfer-Encoding): read here, so nobody builds req.headers. */
  hasBody: boolean;
}

/** A client's X-Request-Id is kept only when it is short and printable (it ends up in logs). */
const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

/**
 * Pure but for generating a request id: the headers an instance receives.
 * Hop-by-hop ones go (RFC 9110 §7.6.1, and every name Connection lists).
 * X-Forwarded-For gets the peer's address appended to what a trusted proxy
 * sent; from anyone else X-Forwarded-*, X-Real-IP and Forwarded are dropped,
 * so a client cannot claim another address. X-Request-Id is kept or made.
 */
export function buildUpstreamHeaders(raw: readonly string[], client: ClientSide, newId: () => string = randomUUID): UpstreamHeaders {
  let tokens: Set<string> | null = null;
  for (let index = 0; index < raw.length; index += 2) {
    if (raw[index]!.length === 10 && raw[index]!.toLowerCase() === 'connection') {
      const found = connectionTokens(raw[index + 1]!);
      tokens = tokens ? new Set([...tokens, ...found!]) : found;
    }
  }
  const headers: string[] = [];
  let priorFor = '';
  let proto = '';
  let forwardedHost = '';
  let host = '';
  let requestId = '';
  let hasBody = false;
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index]!.toLowerCase();
    const value = raw[index + 1]!;
    if (name === 'transfer-encoding' || (name === 'content-length' && value !== '0')) hasBody = true;
    if (isHopByHop(name, tokens)) continue;
    switch (name) {
      case 'x-forwarded-for':
        if (client.trusted) priorFor = priorFor ? `${priorFor}, ${value}` : value;
        continue;
      case 'x-forwarded-proto':
        if (client.trusted && !proto) proto = value;
        continue;
      case 'x-forwarded-host':
        if (client.trusted && !forwardedHost) forwardedHost = value;
        continue;
      case 'x-real-ip':
      case 'forwarded':
        if (client.trusted) headers.push(raw[index]!, value);
        continue;
      case 'x-request-id':
        if (!requestId && REQUEST_ID.test(value)) requestId = value;
        continue;
      case 'host':
        host = value;
        break;
    }
    headers.push(raw[index]!, value);
  }
  requestId ||= newId();
  headers.push(
    'x-forwarded-for', priorFor ? `${priorFor}, ${client.address}` : client.address,
    'x-forwarded-proto', proto || 'http',
    'x-request-id', requestId,
  );
  if (forwardedHost || host) headers.push('x-forwarded-host', forwardedHost || host);
  return { headers, requestId, hasBody };
}

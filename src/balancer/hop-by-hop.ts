/**
 * Headers that describe one connection, not the message (RFC 9110 §7.6.1),
 * plus Expect: the proxy answers "100 Continue" itself. Never forwarded.
 */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'proxy-authorization', 'proxy-authenticate', 'expect',
]);

/** Pure: the extra header names a Connection header lists ("close" and "keep-alive" are options, not names, but dropping them is harmless). */
export function connectionTokens(value: string | string[] | undefined): Set<string> | null {
  if (value === undefined) return null;
  const tokens = new Set<string>();
  for (const part of Array.isArray(value) ? value : [value]) {
    for (const token of part.split(',')) {
      const name = token.trim().toLowerCase();
      if (name) tokens.add(name);
    }
  }
  return tokens;
}

/** Pure: true for a lower-case header name that must not cross the proxy. */
export function isHopByHop(name: string, tokens: Set<string> | null): boolean {
  return HOP_BY_HOP.has(name) || (tokens !== null && tokens.has(name));
}

/** Drops hop-by-hop headers from a parsed (lower-case keyed) header object, in place. */
export function dropHopByHop(headers: Record<string, string | string[] | undefined>): Record<string, string | string[] | undefined> {
  const tokens = connectionTokens(headers.connection);
  for (const name of Object.keys(headers)) if (isHopByHop(name, tokens)) delete headers[name];
  return headers;
}

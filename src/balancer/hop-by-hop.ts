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
  // The usual values name no other header: no set to build.
  if (value === undefined || value === 'keep-alive' || value === 'close') return null;
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

/** Pure: an upstream's raw header lines ([name, value, ...] as bytes) as a flat string list without hop-by-hop headers. */
export function endToEndRawHeaders(raw: readonly Buffer[]): { headers: string[]; hasRequestId: boolean } {
  let tokens: Set<string> | null = null;
  const names: string[] = new Array(raw.length / 2);
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index]!.toString('latin1').toLowerCase();
    names[index / 2] = name;
    if (name === 'connection') tokens = connectionTokens(raw[index + 1]!.toString('latin1'));
  }
  const headers: string[] = [];
  let hasRequestId = false;
  for (let index = 0; index < names.length; index++) {
    const name = names[index]!;
    if (isHopByHop(name, tokens)) continue;
    if (name === 'x-request-id') hasRequestId = true;
    headers.push(name, raw[index * 2 + 1]!.toString('latin1'));
  }
  return { headers, hasRequestId };
}

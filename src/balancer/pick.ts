export interface Backend {
  index: number;
  port: number;
  inflight: number;
  /** A connection to it just failed: avoid it until then (ms since epoch). */
  downUntil?: number;
}

/**
 * Pure: the backend with the fewest requests in flight; ties rotate from
 * `cursor` so idle backends share the load. Single-threaded R/Python workers
 * stall behind one slow request, which plain round-robin would queue behind.
 */
export function pickBackend<T extends Backend>(backends: readonly T[], cursor: number, now = 0): T | null {
  let best: T | null = null;
  const rank = (backend: T) => ((backend.downUntil ?? 0) > now ? 1 : 0);
  for (let offset = 0; offset < backends.length; offset++) {
    const candidate = backends[(cursor + offset) % backends.length]!;
    if (!best || rank(candidate) < rank(best) || (rank(candidate) === rank(best) && candidate.inflight < best.inflight)) best = candidate;
  }
  return best;
}

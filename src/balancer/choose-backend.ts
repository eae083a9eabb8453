export interface Backend {
  index: number;
  port: number;
  inflight: number;
  /** A connection to it just failed: avoid it until then (ms since epoch). */
  downUntil?: number;
}

export interface Choice {
  /** Requests in flight an instance may have (maxInflight; Infinity without). */
  limit: number;
  /** The instance a sticky cookie names, or null. */
  stickyIndex: number | null;
  /** Where ties start rotating, so idle backends share the load. */
  cursor: number;
  now: number;
}

/**
 * Pure, for HTTP requests and WebSocket upgrades alike: the sticky instance
 * when it has room; else the one with the fewest requests in flight among
 * those with room (one that just refused a connection last); null when every
 * instance is full. Single-threaded R/Python workers stall behind one slow
 * request, which plain round-robin would queue behind.
 */
export function chooseBackend<T extends Backend>(backends: readonly T[], choice: Choice): T | null {
  let best: T | null = null;
  let bestRank = 0;
  for (let offset = 0; offset < backends.length; offset++) {
    const candidate = backends[(choice.cursor + offset) % backends.length]!;
    if (candidate.inflight >= choice.limit) continue;
    if (candidate.index === choice.stickyIndex) return candidate;
    const rank = ((candidate.downUntil ?? 0) > choice.now ? 1e9 : 0) + candidate.inflight;
    if (best === null || rank < bestRank) {
      best = candidate;
      bestRank = rank;
    }
  }
  return best;
}

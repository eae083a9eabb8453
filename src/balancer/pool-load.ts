/** What the autoscaler reads from a balancer: the load on its pool and each instance's idle clock. */
export interface PoolLoad {
  /** Requests and WebSockets open on the pool's instances, plus requests queued for one (maxInflight). */
  inflight: number;
  /** Requests waiting while no instance is ready (cold start). */
  waiting: number;
  /** Keyed by private port (an index may be in the pool twice during a reload). */
  byPort: Map<number, { open: number; idleMs: number | null }>;
}

export interface PooledBackend {
  port: number;
  open: { size: number };
  lastActiveAt: number;
}

/** Pure: the load of a pool at `now`; an instance is idle (idleMs set) while nothing is open on it. */
export function summarizePool(pool: readonly PooledBackend[], queued: number, waiting: number, now: number): PoolLoad {
  const byPort = new Map<number, { open: number; idleMs: number | null }>();
  let inflight = queued;
  for (const backend of pool) {
    const open = backend.open.size;
    inflight += open;
    byPort.set(backend.port, { open, idleMs: open === 0 ? Math.max(0, now - backend.lastActiveAt) : null });
  }
  return { inflight, waiting, byPort };
}

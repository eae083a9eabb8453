import type { Balancer } from '../balancer/balancer.js';
import type { Instance, ReadyOutcome } from './instance.js';

export interface ReloadPool {
  instances: Instance[];
  balancer: Balancer;
  /** A fresh instance for the slot, on a new private port. */
  createInstance(index: number): Promise<Instance>;
}

/**
 * Zero-downtime replacement, one instance at a time: the new process must be
 * ready before the old one leaves the pool and stops. A new one that fails
 * is dropped and the old one keeps serving.
 */
export async function replaceOneByOne(pool: ReloadPool, timeoutMs: number): Promise<ReadyOutcome> {
  for (const old of [...pool.instances]) {
    const fresh = await pool.createInstance(old.index);
    fresh.adoptCounts({ restarts: old.restarts + 1, streak: 0 });
    // Listed beside the old one while it warms up, so it joins the pool the moment it is ready.
    pool.instances = [...pool.instances, fresh];
    fresh.start();
    const outcome = await fresh.waitUntilReady(timeoutMs);
    if (!outcome.ok) {
      pool.instances = pool.instances.filter((instance) => instance !== fresh);
      await fresh.stop();
      return { ok: false, reason: `instance ${old.index}: ${outcome.reason} (the old instance keeps serving)` };
    }
    pool.instances = pool.instances.filter((instance) => instance !== fresh).map((instance) => (instance === old ? fresh : instance));
    if (old.port !== null) await pool.balancer.remove(old.index, old.port);
    await old.stop();
  }
  return { ok: true };
}

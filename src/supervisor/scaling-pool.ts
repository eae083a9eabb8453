import type { Balancer } from '../balancer/balancer.js';
import { allocateEphemeralPort } from '../config/ports.js';
import type { ScalablePool } from './autoscaler.js';
import type { Instance, ReadyOutcome } from './instance.js';
import { lowestFreeIndex } from './scale-slots.js';

/** The parts of a Service that scaling steps touch. */
export interface PoolHandle {
  instances: Instance[];
  readonly balancer: Balancer | null;
  /** Open and not deleted. */
  readonly running: boolean;
  createInstance(index: number, port: number | null): Instance;
  /** Runs after (and before) the service's other lifecycle operations. */
  exclusively<T>(work: () => Promise<T>): Promise<T>;
  readyTimeoutMs(): number;
  changed(): void;
}

/** Applies the autoscaler's steps to a service: one more instance on a private port, or one fewer after a drain. */
export function createScalingPool(service: PoolHandle): ScalablePool {
  return {
    running: () => service.running,
    slots: () => service.instances,
    load: () => service.balancer?.load() ?? null,
    add: () => service.exclusively(() => addInstance(service)),
    remove: (index) => service.exclusively(() => removeInstance(service, index)),
  };
}

async function addInstance(service: PoolHandle): Promise<{ index: number; ready: Promise<ReadyOutcome> } | null> {
  if (!service.running) return null;
  const instance = service.createInstance(lowestFreeIndex(service.instances.map((item) => item.index)), await allocateEphemeralPort());
  // Listed before it starts, so the balancer takes it into the pool the moment it is ready.
  service.instances = [...service.instances, instance].sort((a, b) => a.index - b.index);
  instance.start();
  // The wait happens outside the service's queue: a stop need not wait for a slow start.
  return { index: instance.index, ready: instance.waitUntilReady(service.readyTimeoutMs()) };
}

/** Out of the list first, so no status change puts it back into the pool while it drains (drainTimeout). */
async function removeInstance(service: PoolHandle, index: number): Promise<void> {
  const instance = service.instances.find((item) => item.index === index);
  const balancer = service.balancer;
  if (!instance || !balancer) return;
  service.instances = service.instances.filter((item) => item !== instance);
  if (instance.port !== null) await balancer.remove(index, instance.port);
  await instance.stop();
  service.changed();
}

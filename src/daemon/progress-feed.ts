import type { EventEmitter } from 'node:events';
import type { ProgressEvent, ServiceSnapshot } from '../protocol/methods.js';
import type { CallContext } from './server.js';

// Progress of a start/restart/reload, derived from snapshots: pure, so each
// rule is unit-tested. A service is "ready" once it is online with processes
// other than those it had when the operation began; "failed" once errored;
// in a reload each instance is "replaced" once a new pid is online in it.
// streamProgress applies it to a live supervisor's changes.

export interface ProgressState {
  /** pids per service (and per instance index) when the operation began */
  before: Map<string, Map<number, number | null>>;
  reported: Set<string>;
}

export function beginProgress(services: ServiceSnapshot[]): ProgressState {
  const before = new Map(services.map((service) => [service.name, new Map(service.instances.map((instance) => [instance.index, instance.pid]))]));
  return { before, reported: new Set() };
}

/** Events not reported yet for the watched services, given their snapshots now. Marks them reported. */
export function nextProgress(
  state: ProgressState,
  services: ServiceSnapshot[],
  watched: ReadonlySet<string>,
  mode: 'service' | 'instance',
  elapsedMs: number,
): ProgressEvent[] {
  const events: ProgressEvent[] = [];
  const once = (key: string, event: ProgressEvent) => {
    if (state.reported.has(key)) return;
    state.reported.add(key);
    events.push(event);
  };
  for (const service of services) {
    if (!watched.has(service.name)) continue;
    const before = state.before.get(service.name) ?? new Map<number, number | null>();
    if (service.status === 'errored') {
      once(`${service.name}:failed`, { kind: 'failed', service: service.name, elapsedMs, reason: service.reason ?? 'errored' });
      continue;
    }
    if (mode === 'instance') {
      for (const instance of service.instances) {
        const oldPid = before.get(instance.index) ?? null;
        if (instance.status !== 'online' || instance.pid === null || instance.pid === oldPid) continue;
        once(`${service.name}:${instance.index}:${instance.pid}`, { kind: 'replaced', service: service.name, instance: instance.index, oldPid, newPid: instance.pid, elapsedMs });
      }
      continue;
    }
    const fresh = service.instances.some((instance) => instance.pid !== null && instance.pid !== (before.get(instance.index) ?? null));
    // Scaled to zero, it is ready with none: its port is open for the first request.
    if (service.status === 'online' && (fresh || service.instances.length === 0)) once(`${service.name}:ready`, { kind: 'ready', service: service.name, elapsedMs });
  }
  return events;
}

/** Runs `work`, emitting `progress` events for `names` to the caller each time the services change. */
export async function streamProgress<T>(
  services: { current(): ServiceSnapshot[]; events: EventEmitter },
  call: CallContext,
  names: () => string[],
  mode: 'service' | 'instance',
  work: () => Promise<T>,
): Promise<T> {
  const began = Date.now();
  const state = beginProgress(services.current());
  const report = () => {
    for (const event of nextProgress(state, services.current(), new Set(names()), mode, Date.now() - began)) call.emit('progress', event);
  };
  services.events.on('change', report);
  try {
    return await work();
  } finally {
    services.events.off('change', report);
    report();
  }
}

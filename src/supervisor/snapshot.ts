import { chooseInterpreter } from '../process/interpreter.js';
import type { Sample } from '../metrics/sampler.js';
import type { ServiceSnapshot } from '../types.js';
import type { Service } from './service.js';

/** The wire format of one service (what `list --json` prints). */
export function snapshotService(service: Service, sampleOf: (pid: number | null) => Sample | null): ServiceSnapshot {
  const definition = service.definition;
  const now = Date.now();
  // Only where apictl proxies the traffic (balancer, routes) does it know the requests.
  const proxied = service.balanced || !service.requests.empty;
  const instances = service.instances.map((instance) => {
    const sample = sampleOf(instance.pid);
    return {
      index: instance.index,
      pid: instance.pid,
      port: instance.port,
      status: instance.status,
      restarts: instance.restarts,
      cpu: sample?.cpu ?? 0,
      memory: sample?.memory ?? 0,
      uptime: instance.startedAt === null ? 0 : now - instance.startedAt,
      lastExit: instance.lastExit,
      reason: instance.reason,
      adopted: instance.adopted,
      requests: proxied ? service.requests.instanceFigures(instance.index, now) : null,
    };
  });
  const stall = service.logs.stall();
  return {
    name: definition.name,
    status: service.status,
    port: definition.port,
    script: definition.script,
    interpreter: chooseInterpreter(definition.script, definition.interpreter),
    restarts: instances.reduce((sum, instance) => sum + instance.restarts, 0),
    reason: instances.find((instance) => instance.reason)?.reason ?? null,
    logs: { stalled: stall ? { reason: stall.reason, sinceMs: stall.since } : null },
    watchError: service.watchError,
    instances,
    definition,
    requests: proxied ? service.requests.figures(now) : null,
    autoscale: service.scaler?.snapshot() ?? null,
  };
}

import type { ExportAutoscale, ExportInput, ExportService } from './types.js';

// Where each instance listens when apictl's balancer is replaced by nginx or
// HAProxy on one host (the systemd layout): a fronted service keeps its port
// for the proxy, and its instances get ports of their own, from the first
// hundred above every port the file uses, in name order.

export function autoscaleOf(service: ExportService): ExportAutoscale | null {
  return typeof service.instances === 'number' ? null : service.instances;
}

/** Instances that run at once: the fixed count, or the autoscaling floor (at least one). */
export function replicasOf(service: ExportService): number {
  const autoscale = autoscaleOf(service);
  return autoscale ? Math.max(1, autoscale.min) : (service.instances as number);
}

/** Instances there can ever be: the fixed count, or the autoscaling ceiling. */
export function maxInstancesOf(service: ExportService): number {
  return autoscaleOf(service)?.max ?? (service.instances as number);
}

/** apictl's balancer owns the port for several (or autoscaled) instances, and for maxInflight. */
export function isFronted(service: ExportService): boolean {
  return service.port !== null && (maxInstancesOf(service) > 1 || autoscaleOf(service) !== null || service.traffic.maxInflight !== undefined);
}

/** Pure: service name → the ports its instances listen on (a service that is not fronted: its own port). */
export function layInstances(input: Pick<ExportInput, 'services' | 'routes'>): Map<string, number[]> {
  const used = [...input.services.flatMap((service) => (service.port === null ? [] : [service.port])), ...input.routes.map((table) => table.port)];
  let next = Math.ceil((Math.max(0, ...used) + 1) / 100) * 100;
  const layout = new Map<string, number[]>();
  for (const service of input.services) {
    if (!isFronted(service)) {
      layout.set(service.name, service.port === null ? [] : [service.port]);
      continue;
    }
    const ports = Array.from({ length: maxInstancesOf(service) }, (_, index) => next + index);
    next += ports.length;
    layout.set(service.name, ports);
  }
  return layout;
}

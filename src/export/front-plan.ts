import { isFronted, layInstances } from './instance-layout.js';
import { collectFieldWarnings } from './field-table.js';
import type { ExportInput, ExportOutput, ExportService, ExportTarget } from './types.js';

export interface Upstream {
  service: ExportService;
  /** 127.0.0.1 ports of its instances (the systemd layout). */
  ports: number[];
  /** apictl's balancer listens on the service's port. */
  fronted: boolean;
}

/** Pure: the services a proxy must know (fronted by it, or routed to), with their instance ports, in name order. */
export function planUpstreams(input: ExportInput): Upstream[] {
  const layout = layInstances(input);
  const routed = new Set(input.routes.flatMap((table) => table.routes.map((route) => route.service)));
  return input.services
    .filter((service) => service.port !== null && (isFronted(service) || routed.has(service.name)))
    .map((service) => ({ service, ports: layout.get(service.name) ?? [], fronted: isFronted(service) }));
}

export const PROXY_HOST = '127.0.0.1';
export const NO_ROUTE_MESSAGE = 'no route for this path';

/** Pure: routes to a service without a port reach nothing; the fronts leave them out and say so. */
export function warnPortlessRoutes(input: ExportInput): string[] {
  const portless = new Set(input.services.filter((service) => service.port === null).map((service) => service.name));
  return input.routes.flatMap((table) =>
    table.routes
      .filter((route) => portless.has(route.service))
      .map((route) => `routes (port ${table.port}): ${route.prefix} → ${route.service}: the service has no port, so the route is left out`),
  );
}

/** Pure: a front's one file (a header, then blocks apart by a blank line) and its warnings. */
export function finishFront(
  input: ExportInput,
  target: Extract<ExportTarget, 'nginx' | 'haproxy'>,
  file: { path: string; firstLine: string; blocks: string[][]; upstreams: Upstream[]; warnings?: string[] },
): ExportOutput {
  const header = [file.firstLine, '# Instances listen where `apictl export systemd` runs them; each port below is the one apictl used.'];
  const warnings = [...collectFieldWarnings(input, target), ...(file.warnings ?? []), ...warnPortlessRoutes(input)];
  if (file.upstreams.length === 0) warnings.push('nothing to front: no service has several instances, maxInflight or routes');
  return { files: [{ path: file.path, content: [header, ...file.blocks].map((block) => block.join('\n')).join('\n\n') + '\n' }], warnings };
}

import type { ServiceSnapshot } from '../../protocol/methods.js';
import { formatDuration, formatInstanceFigures, formatLastDecision, formatScale } from '../../format.js';
import { paint, paintStatus, renderTable, useColour } from '../output.js';
import { withDaemon } from '../session.js';

export async function run(options: { json?: boolean }): Promise<void> {
  if (options.json) {
    const services = await withDaemon((client) => client.call('list', {}));
    process.stdout.write(JSON.stringify(services) + '\n');
    return;
  }
  const [services, routes] = await withDaemon((client) => Promise.all([client.call('list', {}), client.call('routes', {})]));
  const lines = [renderList(services, useColour())];
  for (const table of routes) {
    const paths = Object.entries(table.paths).map(([prefix, name]) => `${prefix} → ${name}`);
    lines.push(`routes on port ${table.port}: ${paths.join(', ')}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

/** One row per instance; reasons for errored/waiting services under the table. */
export function renderList(services: ServiceSnapshot[], colour: boolean): string {
  if (services.length === 0) return 'no services registered (apictl start <script> adds one)';
  const rows = services.flatMap((service) =>
    service.instances.length === 0
      ? [[service.name, '-', paintStatus(service.status, colour), '-', String(service.port ?? '-'), '-', '-', String(service.restarts), '-']]
      : service.instances.map((instance) => [
          service.name,
          String(instance.index),
          paintStatus(instance.status, colour),
          ...formatInstanceFigures(instance),
        ]),
  );
  const table = renderTable(['name', 'inst', 'status', 'pid', 'port', 'cpu', 'memory', 'restarts', 'uptime'], rows);
  const notes = services.flatMap((service) => [
    ...(service.reason && service.status !== 'online' ? [paint('gray', `${service.name}: ${service.reason}`, colour)] : []),
    ...(service.logs?.stalled ? [paint('yellow', `${service.name}: ${describeStall(service.logs.stalled)}`, colour)] : []),
    ...(service.autoscale && service.autoscale.mode !== 'fixed' ? [paint('gray', describeScaling(service.name, service.autoscale), colour)] : []),
  ]);
  return [table, ...notes].join('\n');
}

/** "logs stalled for 12s: disk full (ENOSPC) writing …; output is held and the service slowed until it can be written". */
export function describeStall(stall: { reason: string; sinceMs: number }): string {
  return `logs stalled for ${formatDuration(Date.now() - stall.sinceMs)}: ${stall.reason}; output is held and the service slowed until it can be written`;
}

/** "api: 2 instances (1..4, auto); 12s ago: scaled up to 2: 14 in flight over 1 instance > 0.5 × 20". */
function describeScaling(name: string, scale: NonNullable<ServiceSnapshot['autoscale']>): string {
  const last = formatLastDecision(scale, Date.now());
  return `${name}: ${formatScale(scale)}${last ? `; ${last}` : ''}`;
}

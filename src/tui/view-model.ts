import { formatBytes, formatDuration, formatInstanceFigures, formatPercent } from '../format.js';
import type { LogLine, LogStream } from '../logs/log-line.js';
import type { ServiceSnapshot, Status } from '../types.js';

// Pure: everything the dashboard shows, computed from daemon data. The blessed
// layer only paints these strings.

export interface MonitRow {
  service: string;
  instance: number;
  status: Status;
  cells: string[];
}

export interface DaemonInfo {
  pid: number;
  uptimeMs: number;
}

export const COLUMNS = ['name', 'status', 'pid', 'port', 'cpu', 'memory', '↺', 'uptime'];
const WIDTHS = [18, 9, 8, 6, 7, 9, 4, 8];

export function buildRows(services: ServiceSnapshot[]): MonitRow[] {
  return services.flatMap((service) =>
    service.instances.length === 0
      ? [{ service: service.name, instance: 0, status: service.status, cells: [service.name, service.status, '-', String(service.port ?? '-'), '-', '-', String(service.restarts), '-'] }]
      : service.instances.map((instance) => ({
          service: service.name,
          instance: instance.index,
          status: instance.status,
          cells: [
            service.instances.length > 1 ? `${service.name}:${instance.index}` : service.name,
            instance.status,
            ...formatInstanceFigures(instance),
          ],
        })),
  );
}

/** Fixed-width columns; the name column takes what is left of `width`. */
export function formatRow(cells: string[], width: number): string {
  const fixed = WIDTHS.slice(1).reduce((sum, item) => sum + item + 1, 0);
  const nameWidth = Math.max(8, Math.min(40, width - fixed - 2));
  const widths = [nameWidth, ...WIDTHS.slice(1)];
  return cells.map((cell, index) => fit(cell, widths[index]!)).join(' ');
}

function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

export function clampSelection(selected: number, rowCount: number): number {
  if (rowCount === 0) return 0;
  return Math.min(Math.max(0, selected), rowCount - 1);
}

export function summarize(services: ServiceSnapshot[]): { counts: Partial<Record<Status, number>>; cpu: number; memory: number } {
  const counts: Partial<Record<Status, number>> = {};
  let cpu = 0;
  let memory = 0;
  for (const service of services) {
    counts[service.status] = (counts[service.status] ?? 0) + 1;
    for (const instance of service.instances) {
      cpu += instance.cpu;
      memory += instance.memory;
    }
  }
  return { counts, cpu, memory };
}

export function formatHeader(services: ServiceSnapshot[], daemon: DaemonInfo | null, connected: boolean): string {
  if (!connected || !daemon) return 'apictl monit  |  daemon not reachable: retrying every second…';
  const { counts, cpu, memory } = summarize(services);
  const order: Status[] = ['online', 'starting', 'waiting', 'stopping', 'errored', 'stopped'];
  const byStatus = order.filter((status) => counts[status]).map((status) => `${counts[status]} ${status}`).join(', ') || 'no services';
  return `apictl monit  |  daemon ${daemon.pid} up ${formatDuration(daemon.uptimeMs)}  |  ${byStatus}  |  cpu ${formatPercent(cpu)}  |  mem ${formatBytes(memory)}`;
}

const BARS = '▁▂▃▄▅▆▇█';

/** The last `width` values as a bar line, scaled to `max` (or the largest value). */
export function sparkline(values: number[], width: number, max?: number): string {
  const shown = values.slice(-width);
  const top = max ?? Math.max(1e-9, ...shown);
  return shown.map((value) => BARS[Math.min(BARS.length - 1, Math.max(0, Math.round((value / top) * (BARS.length - 1))))]).join('');
}

export function formatLogLine(line: LogLine): string {
  return `${new Date(line.time).toISOString().slice(11, 23)} ${line.line}`;
}

export function filterLines(lines: LogLine[], service: string | undefined, stream: LogStream): LogLine[] {
  return lines.filter((line) => line.service === service && line.stream === stream);
}

export const HELP = '↑/↓ j/k select  |  r restart  |  s stop/start  |  l out/err  |  q quit';

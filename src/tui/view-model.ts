import { formatBytes, formatDuration, formatInstanceFigures, formatLastDecision, formatPercent, formatScale } from '../format.js';
import type { LogLine, LogStream } from '../logs/log-line.js';
import type { RequestFigures, ServiceSnapshot, Status } from '../types.js';

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
/** Shown when some service's traffic goes through apictl (balancer, routes). */
export const TRAFFIC_COLUMNS = ['req/s', 'p95'];
const WIDTHS = [18, 9, 8, 6, 7, 9, 4, 8];
/** With the traffic columns the others are as narrow as their widest value, so 80 columns still leave the name 13. */
const TRAFFIC_WIDTHS = [18, 8, 7, 5, 6, 8, 3, 7, 6, 7];

/** Pure: whether any service has request figures (then monit shows req/s and p95). */
export function hasTraffic(services: ServiceSnapshot[]): boolean {
  return services.some((service) => service.requests != null);
}

export function columnsFor(withTraffic: boolean): string[] {
  return withTraffic ? [...COLUMNS, ...TRAFFIC_COLUMNS] : COLUMNS;
}

/** "2.5", "340", "12.3k" requests per second. */
export function formatRate(perSecond: number): string {
  if (perSecond < 10) return perSecond.toFixed(1);
  if (perSecond < 1000) return String(Math.round(perSecond));
  return `${(perSecond / 1000).toFixed(1)}k`;
}

/** "4.2ms", "180ms", "1.5s"; "-" when nothing was answered in the last minute. */
export function formatLatency(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 10) return `${ms.toFixed(1)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(1)}s`;
}

function trafficCells(figures: RequestFigures | null | undefined): string[] {
  return figures ? [formatRate(figures.perSecond), formatLatency(figures.p95Ms)] : ['-', '-'];
}

export function buildRows(services: ServiceSnapshot[], withTraffic = hasTraffic(services)): MonitRow[] {
  return services.flatMap((service) =>
    service.instances.length === 0
      ? [{
          service: service.name, instance: 0, status: service.status,
          cells: [service.name, service.status, '-', String(service.port ?? '-'), '-', '-', String(service.restarts), '-', ...(withTraffic ? trafficCells(service.requests) : [])],
        }]
      : service.instances.map((instance) => ({
          service: service.name,
          instance: instance.index,
          status: instance.status,
          cells: [
            service.instances.length > 1 ? `${service.name}:${instance.index}` : service.name,
            instance.status,
            ...formatInstanceFigures(instance),
            ...(withTraffic ? trafficCells(instance.requests) : []),
          ],
        })),
  );
}

/** Fixed-width columns; the name column takes what is left of `width`. */
export function formatRow(cells: string[], width: number): string {
  const all = cells.length > WIDTHS.length ? TRAFFIC_WIDTHS : WIDTHS;
  const fixed = all.slice(1).reduce((sum, item) => sum + item + 1, 0);
  const nameWidth = Math.max(8, Math.min(40, width - fixed - (all === WIDTHS ? 2 : 1)));
  const widths = [nameWidth, ...all.slice(1)];
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

/** The selected service's count and last scaling decision, cut to `width`; null when its count cannot move (or it has none). */
export function formatScaleLine(service: ServiceSnapshot | undefined, now: number, width: number): string | null {
  const scale = service?.autoscale;
  if (!scale || (scale.mode === 'fixed' && scale.pinned === null)) return null;
  const last = formatLastDecision(scale, now);
  const text = ` scale ${formatScale(scale)}${last ? ` · ${last}` : ''}`;
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

export const HELP = '↑/↓ j/k select  |  r restart  |  s stop/start  |  l out/err  |  q quit';

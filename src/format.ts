import type { AutoscaleSnapshot, InstanceSnapshot } from './types.js';

// Pure formatting of figures for people (list, show, monit).

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 B';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0s';
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${seconds % 60 ? ` ${seconds % 60}s` : ''}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${minutes % 60 ? ` ${minutes % 60}m` : ''}`;
  const days = Math.floor(hours / 24);
  return `${days}d${hours % 24 ? ` ${hours % 24}h` : ''}`;
}

export function formatPercent(value: number): string {
  return `${(Number.isFinite(value) ? value : 0).toFixed(1)}%`;
}

/** pid, port, cpu, memory, restarts, uptime of one instance as table cells ("-" when not running or not sampled yet). */
export function formatInstanceFigures(instance: InstanceSnapshot): string[] {
  const running = instance.pid !== null;
  // A live process is never 0 bytes resident: 0 means not sampled yet.
  const sampled = running && instance.memory > 0;
  return [
    running ? String(instance.pid) : '-',
    instance.port === null ? '-' : String(instance.port),
    sampled ? formatPercent(instance.cpu) : '-',
    sampled ? formatBytes(instance.memory) : '-',
    String(instance.restarts),
    running ? formatDuration(instance.uptime) : '-',
  ];
}

/** "2 instances (1..4, auto)", "3 instances, 2 ready (1..4, pinned at 3)", "2 instances (fixed)", "4 instances (pinned at 4, defined 2)". */
export function formatScale(scale: AutoscaleSnapshot): string {
  const count = `${scale.current} instance${scale.current === 1 ? '' : 's'}${scale.ready === scale.current ? '' : `, ${scale.ready} ready`}`;
  // No threshold: a plain `instances: N` service, whose min and max are N.
  if (scale.threshold === null) return scale.pinned === null ? `${count} (fixed)` : `${count} (pinned at ${scale.pinned}, defined ${scale.min})`;
  return `${count} (${scale.min}..${scale.max}, ${scale.pinned === null ? 'auto' : `pinned at ${scale.pinned}`})`;
}

/** "12s ago: scaled up to 3: 14 in flight over 2 instances > 0.5 × 10", or null before any. */
export function formatLastDecision(scale: AutoscaleSnapshot, now: number): string | null {
  const last = scale.lastDecision;
  return last ? `${formatDuration(now - last.atMs)} ago: ${last.reason}` : null;
}

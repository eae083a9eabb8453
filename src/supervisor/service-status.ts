import type { Status } from '../types.js';

const STATUS_PRIORITY: Status[] = ['errored', 'waiting', 'starting', 'stopping', 'online', 'stopped'];

/** Pure: one status for a service from its instances' (the most urgent wins). */
export function aggregateStatus(statuses: Status[]): Status {
  if (statuses.length === 0) return 'stopped';
  if (statuses.every((status) => status === 'stopped')) return 'stopped';
  return STATUS_PRIORITY.find((status) => status !== 'stopped' && statuses.includes(status)) ?? 'stopped';
}

import { isSameProcess } from '../process/proc.js';
import type { InstanceRecord } from './instance-types.js';

/**
 * Of the records a previous daemon left for one slot (two when a reload was
 * cut short), the one to adopt: the live one that was serving, else the
 * newest; the rest are only salvaged.
 */
export function chooseRecord(records: InstanceRecord[]): { chosen: InstanceRecord | undefined; others: InstanceRecord[] } {
  if (records.length <= 1) return { chosen: records[0], others: [] };
  const rank = (record: InstanceRecord) => (record.run && isSameProcess(record.run.pid, record.run.startTime) ? 2 : 0) + (record.status === 'online' ? 1 : 0);
  const sorted = [...records].sort((a, b) => rank(b) - rank(a) || (b.run?.startedAt ?? 0) - (a.run?.startedAt ?? 0));
  return { chosen: sorted[0], others: sorted.slice(1) };
}

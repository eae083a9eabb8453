import pidusage from 'pidusage';
import { readdirSync } from 'node:fs';
import { readProcStat } from '../process/kill.js';
import { Ring } from '../logs/ring.js';

export const SAMPLE_INTERVAL_MS = 1_000;
export const HISTORY_SAMPLES = 300;

export interface Sample {
  time: number;
  cpu: number;
  memory: number;
}

/** Pure: groups pids by process group, for the groups we were asked about. */
export function groupMembers(stats: Array<{ pid: number; pgrp: number }>, groups: ReadonlySet<number>): Map<number, number[]> {
  const members = new Map<number, number[]>();
  for (const { pid, pgrp } of stats) {
    if (!groups.has(pgrp)) continue;
    const list = members.get(pgrp);
    if (list) list.push(pid);
    else members.set(pgrp, [pid]);
  }
  return members;
}

/**
 * One sampler for the whole daemon: each tick lists the process groups of all
 * running instances (a wrapper script's server counts too), makes one pidusage
 * call for every pid, and sums CPU % and RSS per group.
 */
export class MetricsSampler {
  private readonly latest = new Map<number, Sample>();
  private readonly history = new Map<number, Ring<Sample>>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(private readonly groups: () => number[], private readonly onTick: () => void) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  sampleOf(pgid: number | null): Sample | null {
    return pgid === null ? null : (this.latest.get(pgid) ?? null);
  }

  historyOf(pgid: number | null): Sample[] {
    return pgid === null ? [] : (this.history.get(pgid)?.toArray() ?? []);
  }

  async tick(): Promise<void> {
    const wanted = new Set(this.groups());
    if (this.running) return;
    this.running = true;
    try {
      for (const pgid of this.latest.keys()) if (!wanted.has(pgid)) this.forget(pgid);
      if (wanted.size === 0) return;
      const members = groupMembers(listProcessGroups(), wanted);
      const pids = [...members.values()].flat();
      const usage = pids.length > 0 ? await pidusage(pids).catch(() => ({}) as Record<string, pidusage.Status>) : {};
      const time = Date.now();
      for (const [pgid, list] of members) {
        let cpu = 0;
        let memory = 0;
        for (const pid of list) {
          const stat = usage[pid];
          if (!stat) continue;
          cpu += stat.cpu;
          memory += stat.memory;
        }
        const sample = { time, cpu: Math.round(cpu * 10) / 10, memory };
        this.latest.set(pgid, sample);
        let ring = this.history.get(pgid);
        if (!ring) this.history.set(pgid, (ring = new Ring<Sample>(HISTORY_SAMPLES)));
        ring.push(sample);
      }
    } finally {
      this.running = false;
    }
    this.onTick();
  }

  private forget(pgid: number): void {
    this.latest.delete(pgid);
    this.history.delete(pgid);
  }
}

function listProcessGroups(): Array<{ pid: number; pgrp: number }> {
  const result: Array<{ pid: number; pgrp: number }> = [];
  for (const entry of readdirSync('/proc')) {
    if (entry.charCodeAt(0) > 57) continue; // not a pid
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readProcStat(pid);
    if (stat && stat.state !== 'Z') result.push({ pid, pgrp: stat.pgrp });
  }
  return result;
}

import type pidusage from 'pidusage';
import { listProcessGroups } from '../process/proc.js';
import { Ring } from '../logs/ring.js';

export const SAMPLE_INTERVAL_MS = 1_000;
/** When nobody watches live and no service has maxMemory, figures may be this old. */
export const IDLE_SAMPLE_INTERVAL_MS = 5_000;
export const HISTORY_SAMPLES = 300;
const PIDUSAGE_MAXAGE_MS = 2 * IDLE_SAMPLE_INTERVAL_MS;
/** Process-group membership is rescanned every this many ticks (or when a new instance appears). */
export const MEMBERSHIP_RESCAN_TICKS = 10;

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
  private running: Promise<void> | null = null;
  private members = new Map<number, number[]>();
  private ticksSinceScan = Infinity;

  private stopped = true;

  /** `live()`: someone needs figures every second (a dashboard, a memory limit). */
  constructor(
    private readonly groups: () => number[],
    private readonly onTick: () => void,
    private readonly live: () => boolean = () => true,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Samples now if the last sample is older than a live tick (a dashboard just attached). */
  hurry(): void {
    if (this.stopped || this.running) return;
    if (this.timer) clearTimeout(this.timer);
    void this.tick().finally(() => this.schedule());
  }

  /**
   * Resolves once every running instance has a sample: a `list` right after
   * `start` shows real figures, not "-" until the next idle tick.
   */
  async ensureSampled(): Promise<void> {
    if (this.groups().every((pgid) => this.latest.has(pgid))) return;
    if (this.running) await this.running;
    if (this.groups().every((pgid) => this.latest.has(pgid))) return;
    await this.tick();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick().finally(() => this.schedule()), this.live() ? SAMPLE_INTERVAL_MS : IDLE_SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  sampleOf(pgid: number | null): Sample | null {
    return pgid === null ? null : (this.latest.get(pgid) ?? null);
  }

  historyOf(pgid: number | null): Sample[] {
    return pgid === null ? [] : (this.history.get(pgid)?.toArray() ?? []);
  }

  tick(): Promise<void> {
    if (this.running) return this.running;
    const running = this.measureAll().finally(() => {
      this.running = null;
    });
    this.running = running;
    return running.then(() => this.onTick());
  }

  private async measureAll(): Promise<void> {
    const wanted = new Set(this.groups());
    for (const pgid of this.latest.keys()) if (!wanted.has(pgid)) this.forget(pgid);
    if (wanted.size === 0) return;
    // Scanning all of /proc is the costly part: do it now and then, and when an instance is new.
    const unknown = [...wanted].some((pgid) => !this.members.has(pgid));
    if (unknown || ++this.ticksSinceScan >= MEMBERSHIP_RESCAN_TICKS) {
      this.members = groupMembers(listProcessGroups(), wanted);
      this.ticksSinceScan = 0;
    }
    let members = new Map([...this.members].filter(([pgid]) => wanted.has(pgid)));
    let usage = await measure([...members.values()].flat());
    if (!usage) {
      // A member exited since the last scan (pidusage fails the whole batch): rescan, once.
      this.members = members = groupMembers(listProcessGroups(), wanted);
      this.ticksSinceScan = 0;
      usage = (await measure([...members.values()].flat())) ?? {};
    }
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
  }

  private forget(pgid: number): void {
    this.latest.delete(pgid);
    this.history.delete(pgid);
  }
}

let usageOf: typeof pidusage | undefined;

async function measure(pids: number[]): Promise<Record<string, pidusage.Status> | null> {
  if (pids.length === 0) return {};
  // Loaded with the first process to measure: a daemon with no services never loads pidusage.
  usageOf ??= (await import('pidusage')).default;
  // pidusage keeps each pid's last reading (and its /proc/<pid>/stat open) until it is `maxage` unread (default 60 s):
  // two idle ticks, so an exited instance's is let go within ~15 s, not 90.
  return usageOf(pids, { maxage: PIDUSAGE_MAXAGE_MS }).catch(() => null);
}

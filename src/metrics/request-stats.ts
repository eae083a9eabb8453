import type { RequestFigures, StatusClass } from '../types.js';
import { BUCKET_COUNT, bucketOf, quantileOf } from './latency-buckets.js';

/** Status classes counted apart. */
export const STATUS_CLASSES: readonly StatusClass[] = ['1xx', '2xx', '3xx', '4xx', '5xx'];

/** The last minute, in slots of this width: quantiles and rates forget older requests slot by slot. */
export const WINDOW_SLOT_MS = 5_000;
export const WINDOW_SLOTS = 12;

/** Pure: index into STATUS_CLASSES for an HTTP status (anything odd counts as 5xx). */
export function classIndexOf(status: number): number {
  const index = Math.floor(status / 100) - 1;
  return index >= 0 && index < STATUS_CLASSES.length ? index : 4;
}

interface Slot {
  /** Which WINDOW_SLOT_MS period since the epoch this slot holds. */
  period: number;
  counts: Uint32Array;
}

/**
 * Counters for one (instance, route): totals by status class, a cumulative
 * latency histogram per class (for Prometheus) and a ring of per-slot
 * histograms covering the last minute (for p50/p95/p99 and req/s). Fixed
 * size: nothing grows with the number of requests.
 */
export class RequestStats {
  inflight = 0;
  readonly byClass = new Float64Array(STATUS_CLASSES.length);
  /** [class * BUCKET_COUNT + bucket], since the daemon started. */
  readonly buckets = new Float64Array(STATUS_CLASSES.length * BUCKET_COUNT);
  readonly sumSeconds = new Float64Array(STATUS_CLASSES.length);
  private readonly slots: Slot[] = Array.from({ length: WINDOW_SLOTS }, () => ({ period: -1, counts: new Uint32Array(BUCKET_COUNT) }));

  record(status: number, seconds: number, nowMs: number): void {
    const statusClass = classIndexOf(status);
    const bucket = bucketOf(seconds);
    this.byClass[statusClass]!++;
    this.buckets[statusClass * BUCKET_COUNT + bucket]!++;
    this.sumSeconds[statusClass]! += seconds;
    const period = Math.floor(nowMs / WINDOW_SLOT_MS);
    const slot = this.slots[period % WINDOW_SLOTS]!;
    if (slot.period !== period) {
      slot.period = period;
      slot.counts.fill(0);
    }
    slot.counts[bucket]!++;
  }

  /** Adds this window's bucket counts (slots younger than a minute) into `into`; returns the count from the last 10 s. */
  addWindow(into: Float64Array, nowMs: number): number {
    const current = Math.floor(nowMs / WINDOW_SLOT_MS);
    let recent = 0;
    for (const slot of this.slots) {
      if (slot.period < 0 || current - slot.period >= WINDOW_SLOTS) continue;
      let slotTotal = 0;
      for (let index = 0; index < BUCKET_COUNT; index++) {
        into[index]! += slot.counts[index]!;
        slotTotal += slot.counts[index]!;
      }
      if (current - slot.period <= 1) recent += slotTotal;
    }
    return recent;
  }
}

/** Pure over its inputs: one set of figures for several stats (a service's instances, say). */
export function summarizeStats(stats: Iterable<RequestStats>, nowMs: number): RequestFigures {
  const window = new Float64Array(BUCKET_COUNT);
  const byClass = new Float64Array(STATUS_CLASSES.length);
  let inflight = 0;
  let recent = 0;
  for (const item of stats) {
    inflight += item.inflight;
    recent += item.addWindow(window, nowMs);
    for (let index = 0; index < byClass.length; index++) byClass[index]! += item.byClass[index]!;
  }
  // The current slot is partly over: rate over the time the last two slots really cover.
  const coveredMs = WINDOW_SLOT_MS + (nowMs % WINDOW_SLOT_MS);
  const toMs = (seconds: number | null) => (seconds === null ? null : Math.round(seconds * 100_000) / 100);
  return {
    total: byClass.reduce((sum, count) => sum + count, 0),
    inflight,
    byClass: Object.fromEntries(STATUS_CLASSES.map((name, index) => [name, byClass[index]!])) as Record<StatusClass, number>,
    perSecond: Math.round((recent / (coveredMs / 1000)) * 10) / 10,
    p50Ms: toMs(quantileOf(window, 0.5)),
    p95Ms: toMs(quantileOf(window, 0.95)),
    p99Ms: toMs(quantileOf(window, 0.99)),
  };
}

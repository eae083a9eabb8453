import { formatBytes, formatDuration } from '../format.js';
import type { Status } from '../types.js';

// Pure: how many instances a balanced service should run, one step at a time
// (Posit Connect's rule). The controller (autoscaler.ts) gathers the inputs
// and applies the step; nothing here reads a clock or the machine.

/** After an automatic step, the next automatic one waits this long (the figures settle on the new pool). */
export const SCALE_COOLDOWN_MS = 1_000;

/** When to add and when to remove an instance; null for a fixed count (only `apictl scale` and min apply). */
export interface LoadRule {
  maxConnsPerInstance: number;
  loadFactor: number;
  idleTimeoutMs: number;
}

export interface ScaleSlot {
  index: number;
  status: Status;
  /** Requests (and WebSockets) open on it; 0 when it is not in the pool. */
  inflight: number;
  /** How long it has had nothing open; null while busy or not in the pool. */
  idleMs: number | null;
}

export interface MemoryReading {
  /** MemAvailable. */
  availableBytes: number;
  /** Below this, no instance is started. */
  floorBytes: number;
  /** What one more instance is expected to take (the largest resident size of its siblings; 0 when none). */
  instanceBytes: number;
}

export interface ScaleInput {
  min: number;
  max: number;
  rule: LoadRule | null;
  /** A count set by `apictl scale <name> N` (already checked against min..max), or null: automatic. */
  pinned: number | null;
  slots: ScaleSlot[];
  /** Requests in flight on ready instances plus those queued for one. */
  inflight: number;
  /** Requests waiting while no instance is ready (scale to zero). */
  waiting: number;
  /** Since the last automatic step ended; null when there was none. */
  sinceLastStepMs: number | null;
  /** null: not read (the controller reads it only for a step up). */
  memory: MemoryReading | null;
}

export type ScaleDecision =
  /** `cold`: no instance was ready and requests wait for it; `automatic`: a load decision (it starts the cool-down). */
  | { action: 'up'; count: number; reason: string; cold: boolean; automatic: boolean }
  | { action: 'down'; count: number; index: number; reason: string; automatic: boolean }
  /** It would start one, but the machine's free memory is below the floor. */
  | { action: 'refused'; count: number; reason: string }
  /** Overloaded with every instance it may have running. */
  | { action: 'at-max'; count: number; reason: string }
  | { action: 'hold'; count: number; reason: string };

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** Pure: the threshold text, "0.5 × 10". */
export function describeThreshold(rule: LoadRule): string {
  return `${rule.loadFactor} × ${rule.maxConnsPerInstance}`;
}

/** Pure: the one next step for a service (or none), with the reason people read in `show` and daemon.log. */
export function decideScale(input: ScaleInput): ScaleDecision {
  const { min, max, rule, pinned, slots, inflight } = input;
  const count = slots.length;
  const ready = slots.filter((slot) => slot.status === 'online').length;
  const starting = slots.filter((slot) => slot.status === 'starting').length;
  const hold = (reason: string): ScaleDecision => ({ action: 'hold', count, reason });
  const up = (reason: string, options: { cold?: boolean; automatic?: boolean } = {}): ScaleDecision =>
    guardMemory(input, { action: 'up', count: count + 1, reason: `scaled up to ${count + 1}: ${reason}`, cold: options.cold ?? false, automatic: options.automatic ?? false });
  const down = (index: number, reason: string, automatic = false): ScaleDecision => ({ action: 'down', count: count - 1, index, reason: `scaled down to ${count - 1}: ${reason}`, automatic });

  // One step at a time: a new instance is ready before the next decision.
  if (starting > 0) return hold(`waiting for ${plural(starting, 'instance')} to be ready`);
  if (pinned !== null) {
    const why = `pinned at ${pinned} by \`apictl scale\``;
    if (count < pinned) return up(why);
    if (count > pinned) return down(pickToRemove(slots), why);
    return hold(why);
  }
  if (count < min) return up(`below min ${min}`);
  if (count > max) return down(pickToRemove(slots), rule ? `above max ${max}` : `back to its ${plural(max, 'instance')}`);
  if (!rule) return hold(`fixed at ${plural(count, 'instance')}`);
  if (ready === 0 && input.waiting > 0) {
    const waiting = `${plural(input.waiting, 'request')} waiting, no instance ready`;
    return count < max ? up(`cold start, ${waiting}`, { cold: true }) : hold(`${waiting} (${plural(count, 'instance')} not ready, max ${max})`);
  }
  const threshold = rule.loadFactor * rule.maxConnsPerInstance;
  const load = `${inflight} in flight over ${plural(ready, 'instance')}`;
  const coolingDown = input.sinceLastStepMs !== null && input.sinceLastStepMs < SCALE_COOLDOWN_MS;
  if (ready > 0 && inflight / ready > threshold) {
    if (count >= max) return { action: 'at-max', count, reason: `at max ${max}: ${load} > ${describeThreshold(rule)}` };
    if (coolingDown) return hold(`cooling down after the last step (${load})`);
    return up(`${load} > ${describeThreshold(rule)}`, { automatic: true });
  }
  if (count > min && !coolingDown) {
    const idle = slots
      .filter((slot) => slot.status === 'online' && slot.idleMs !== null && slot.idleMs >= rule.idleTimeoutMs)
      .sort((a, b) => b.idleMs! - a.idleMs! || b.index - a.index)[0];
    // The others must carry what is in flight without crossing the threshold (or there is nothing in flight at all).
    const rest = ready - 1;
    const othersCope = rest === 0 ? inflight === 0 : inflight / rest <= threshold;
    if (idle && othersCope) return down(idle.index, `instance ${idle.index} idle for ${formatDuration(idle.idleMs!)} (idleTimeout ${formatDuration(rule.idleTimeoutMs)})`, true);
  }
  return hold(`${load}, up above ${describeThreshold(rule)} per instance`);
}

/** No instance starts while the machine's free memory (less what the new one takes) is below the floor. */
function guardMemory(input: ScaleInput, decision: ScaleDecision & { action: 'up' }): ScaleDecision {
  const memory = input.memory;
  if (!memory || memory.availableBytes - memory.instanceBytes >= memory.floorBytes) return decision;
  const need = memory.instanceBytes > 0 ? ` less ~${formatBytes(memory.instanceBytes)} for one more instance` : '';
  const why = decision.reason.slice(decision.reason.indexOf(': ') + 2);
  return {
    action: 'refused',
    count: input.slots.length,
    reason: `not scaling up to ${decision.count}: free memory ${formatBytes(memory.availableBytes)}${need} is below the floor of ${formatBytes(memory.floorBytes)} (${why})`,
  };
}

/**
 * Pure: the instance a forced step down (a pin, above max) removes: one that
 * serves nothing (not ready) first, then the one idle longest, then the one
 * with the least in flight; ties go to the highest index.
 */
export function pickToRemove(slots: ScaleSlot[]): number {
  const rank = (slot: ScaleSlot) => (slot.status !== 'online' ? -Infinity : slot.idleMs !== null ? -slot.idleMs : slot.inflight);
  return [...slots].sort((a, b) => rank(a) - rank(b) || b.index - a.index)[0]!.index;
}

import { describe, expect, it } from 'vitest';
import { decideScale, pickToRemove, SCALE_COOLDOWN_MS, type ScaleInput, type ScaleSlot } from '../../src/supervisor/autoscale-policy.js';
import { keepBaseSlots, lowestFreeIndex, slotsToAdopt } from '../../src/supervisor/scale-slots.js';
import { memoryFloorBytes, parseMeminfo } from '../../src/process/meminfo.js';
import { summarizePool } from '../../src/balancer/pool-load.js';

const MB = 1024 ** 2;
const rule = { maxConnsPerInstance: 10, loadFactor: 0.5, idleTimeoutMs: 300_000 };
/** An online instance with `inflight` open on it; idle (for `idleMs`) when nothing is. */
const busy = (index: number, inflight: number): ScaleSlot => ({ index, status: 'online', inflight, idleMs: null });
const idle = (index: number, idleMs: number): ScaleSlot => ({ index, status: 'online', inflight: 0, idleMs });
const other = (index: number, status: ScaleSlot['status']): ScaleSlot => ({ index, status, inflight: 0, idleMs: null });
const sum = (slots: ScaleSlot[]) => slots.reduce((total, slot) => total + slot.inflight, 0);

function input(slots: ScaleSlot[], overrides: Partial<ScaleInput> = {}): ScaleInput {
  return { min: 1, max: 4, rule, pinned: null, slots, inflight: sum(slots), waiting: 0, sinceLastStepMs: null, memory: null, ...overrides };
}

describe('decideScale', () => {
  it.each<[string, ScaleInput, Record<string, unknown>]>([
    // scale up: in flight per ready instance above loadFactor × maxConnsPerInstance
    ['14 in flight over 2 > 0.5 × 10 adds a third', input([busy(0, 7), busy(1, 7)]),
      { action: 'up', count: 3, automatic: true, cold: false, reason: 'scaled up to 3: 14 in flight over 2 instances > 0.5 × 10' }],
    ['exactly at the threshold holds', input([busy(0, 5), busy(1, 5)]), { action: 'hold', count: 2 }],
    ['one over it adds one', input([busy(0, 6), busy(1, 5)]), { action: 'up', count: 3 }],
    ['requests queued for a busy instance count as load', input([busy(0, 5)], { inflight: 9 }), { action: 'up', count: 2, reason: 'scaled up to 2: 9 in flight over 1 instance > 0.5 × 10' }],
    ['an instance that is not ready carries nothing', input([busy(0, 6), other(1, 'errored')]), { action: 'up', count: 3, reason: 'scaled up to 3: 6 in flight over 1 instance > 0.5 × 10' }],
    ['loadFactor 0: any request in flight adds one', input([busy(0, 1)], { rule: { ...rule, loadFactor: 0 } }), { action: 'up', count: 2 }],
    ['never above max', input([busy(0, 10), busy(1, 10), busy(2, 10), busy(3, 10)]),
      { action: 'at-max', count: 4, reason: 'at max 4: 40 in flight over 4 instances > 0.5 × 10' }],
    // one step at a time, damped
    ['an instance starting holds every decision', input([busy(0, 20), other(1, 'starting')]), { action: 'hold', reason: 'waiting for 1 instance to be ready' }],
    ['within the cool-down after an automatic step it holds', input([busy(0, 20)], { sinceLastStepMs: SCALE_COOLDOWN_MS - 1 }), { action: 'hold', count: 1 }],
    ['after the cool-down it steps again', input([busy(0, 20)], { sinceLastStepMs: SCALE_COOLDOWN_MS }), { action: 'up', count: 2 }],
    // machine memory
    ['free memory less one instance below the floor refuses', input([busy(0, 20)], { memory: { availableBytes: 300 * MB, floorBytes: 256 * MB, instanceBytes: 100 * MB } }),
      { action: 'refused', count: 1, reason: 'not scaling up to 2: free memory 300 MB less ~100 MB for one more instance is below the floor of 256 MB (20 in flight over 1 instance > 0.5 × 10)' }],
    ['free memory above the floor with room for one more starts it', input([busy(0, 20)], { memory: { availableBytes: 400 * MB, floorBytes: 256 * MB, instanceBytes: 100 * MB } }),
      { action: 'up', count: 2 }],
    // scale down: an instance with nothing open for idleTimeout, never below min
    ['an instance idle for idleTimeout goes', input([busy(0, 1), idle(1, 300_000)]),
      { action: 'down', count: 1, index: 1, automatic: true, reason: 'scaled down to 1: instance 1 idle for 5m (idleTimeout 5m)' }],
    ['idle for less than idleTimeout stays', input([busy(0, 1), idle(1, 299_999)]), { action: 'hold', count: 2 }],
    ['never below min', input([idle(0, 900_000), idle(1, 900_000)], { min: 2 }), { action: 'hold', count: 2 }],
    ['not when the others would cross the threshold without it', input([busy(0, 6), idle(1, 300_000)]), { action: 'hold', count: 2 }],
    ['the one idle longest goes first', input([idle(0, 400_000), idle(1, 300_000), idle(2, 500_000)]), { action: 'down', index: 2 }],
    ['equally idle: the highest index goes', input([idle(0, 300_000), idle(1, 300_000)]), { action: 'down', index: 1 }],
    ['not within the cool-down', input([busy(0, 1), idle(1, 300_000)], { sinceLastStepMs: 10 }), { action: 'hold' }],
    ['min 0: the last idle instance goes when nothing is in flight', input([idle(0, 300_000)], { min: 0 }),
      { action: 'down', count: 0, index: 0, reason: 'scaled down to 0: instance 0 idle for 5m (idleTimeout 5m)' }],
    // scale to zero
    ['a request waiting with none ready starts one at once', input([], { min: 0, waiting: 3, sinceLastStepMs: 0 }),
      { action: 'up', count: 1, cold: true, automatic: false, reason: 'scaled up to 1: cold start, 3 requests waiting, no instance ready' }],
    ['nothing waiting at zero holds', input([], { min: 0 }), { action: 'hold', count: 0 }],
    ['a cold start respects the memory floor too', input([], { min: 0, waiting: 1, memory: { availableBytes: 100 * MB, floorBytes: 256 * MB, instanceBytes: 0 } }),
      { action: 'refused', count: 0, reason: 'not scaling up to 1: free memory 100 MB is below the floor of 256 MB (cold start, 1 request waiting, no instance ready)' }],
    ['waiting with every slot taken by instances that are not ready holds', input([other(0, 'waiting')], { min: 0, max: 1, waiting: 2 }),
      { action: 'hold', reason: '2 requests waiting, no instance ready (1 instance not ready, max 1)' }],
    // min, pins, fixed counts
    ['below min starts one, cool-down or not', input([busy(0, 0)], { min: 2, sinceLastStepMs: 0 }), { action: 'up', count: 2, automatic: false, reason: 'scaled up to 2: below min 2' }],
    ['a pin above the count adds one, cool-down or not', input([busy(0, 0)], { pinned: 3, sinceLastStepMs: 0 }),
      { action: 'up', count: 2, automatic: false, reason: 'scaled up to 2: pinned at 3 by `apictl scale`' }],
    ['a pin below it removes the one idle longest, however busy the rest', input([busy(0, 30), idle(1, 10), idle(2, 20)], { pinned: 1 }),
      { action: 'down', count: 2, index: 2, reason: 'scaled down to 2: pinned at 1 by `apictl scale`' }],
    ['a pin it has reached holds under any load', input([busy(0, 50), busy(1, 50)], { pinned: 2 }), { action: 'hold', reason: 'pinned at 2 by `apictl scale`' }],
    ['a pin waits for a starting instance', input([busy(0, 0), other(1, 'starting')], { pinned: 3 }), { action: 'hold' }],
    ['a pin respects the memory floor', input([busy(0, 0)], { pinned: 2, memory: { availableBytes: 10 * MB, floorBytes: 256 * MB, instanceBytes: 40 * MB } }), { action: 'refused', count: 1 }],
    ['a fixed count (instances: N) ignores load', input([busy(0, 50), busy(1, 50)], { rule: null, min: 2, max: 2 }), { action: 'hold', reason: 'fixed at 2 instances' }],
    ['a fixed count unpinned goes back to its count', input([busy(0, 1), idle(1, 5), idle(2, 1)], { rule: null, min: 2, max: 2 }),
      { action: 'down', count: 2, index: 1, reason: 'scaled down to 2: back to its 2 instances' }],
  ])('%s', (_title, given, expected) => {
    expect(decideScale(given)).toMatchObject(expected);
  });
});

describe('pickToRemove', () => {
  it.each<[string, ScaleSlot[], number]>([
    ['an instance that is not ready first', [idle(0, 1_000), other(1, 'errored'), busy(2, 1)], 1],
    ['then the one idle longest', [idle(0, 1_000), idle(1, 5_000), busy(2, 1)], 1],
    ['then the one with least in flight', [busy(0, 3), busy(1, 1), busy(2, 2)], 1],
    ['ties: the highest index', [busy(0, 1), busy(1, 1)], 1],
  ])('%s', (_title, slots, index) => {
    expect(pickToRemove(slots)).toBe(index);
  });
});

describe('instance slots as the count changes', () => {
  it.each([[[], 0], [[0, 1, 2], 3], [[0, 2], 1], [[1, 2], 0]])('taken %j → the next new instance is %i', (taken, next) => {
    expect(lowestFreeIndex(taken)).toBe(next);
  });

  it.each<[string, number, Array<{ index: number; run: unknown }>, number[]]>([
    ['min slots when nothing ran', 2, [], [0, 1]],
    ['scale to zero with nothing running: none', 0, [], []],
    ['every instance the old daemon ran, beyond min too', 1, [{ index: 0, run: {} }, { index: 2, run: {} }, { index: 3, run: {} }], [0, 2, 3]],
    ['a slot beyond min that ran nothing is not set up', 1, [{ index: 0, run: {} }, { index: 4, run: null }], [0]],
  ])('a new daemon adopts: %s', (_title, base, records, indexes) => {
    expect(slotsToAdopt(base, records)).toEqual(indexes);
  });

  it('a stopped service keeps its lowest slots up to its base count', () => {
    expect(keepBaseSlots([{ index: 3 }, { index: 0 }, { index: 1 }], 2)).toEqual([{ index: 0 }, { index: 1 }]);
    expect(keepBaseSlots([{ index: 0 }], 0)).toEqual([]);
    expect(keepBaseSlots([{ index: 0 }, { index: 1 }], 3)).toEqual([{ index: 0 }, { index: 1 }]);
  });
});

describe('machine memory and pool load', () => {
  it('reads MemTotal and MemAvailable from /proc/meminfo', () => {
    expect(parseMeminfo('MemTotal:       24684092 kB\nMemFree:        23577020 kB\nMemAvailable:   24203564 kB\n')).toEqual({
      totalBytes: 24684092 * 1024,
      availableBytes: 24203564 * 1024,
    });
    expect(parseMeminfo('MemTotal: 100 kB\n')).toBeNull();
  });

  it.each<[number, string | undefined, number]>([
    [24 * 1024 * MB, undefined, Math.round(24 * 1024 * MB * 0.05)],
    [2 * 1024 * MB, undefined, 256 * MB],
    [24 * 1024 * MB, '1G', 1024 * MB],
    [24 * 1024 * MB, 'lots', Math.round(24 * 1024 * MB * 0.05)],
  ])('floor for MemTotal %i with APICTL_SCALE_MEMORY_FLOOR=%s is %i', (total, setting, floor) => {
    expect(memoryFloorBytes(total, setting)).toBe(floor);
  });

  it('sums what is open on the pool and each instance’s idle clock', () => {
    const load = summarizePool([{ port: 1, open: { size: 2 }, lastActiveAt: 0 }, { port: 2, open: { size: 0 }, lastActiveAt: 1_000 }], 3, 1, 5_000);
    expect(load.inflight).toBe(5);
    expect(load.waiting).toBe(1);
    expect([...load.byPort]).toEqual([[1, { open: 2, idleMs: null }], [2, { open: 0, idleMs: 4_000 }]]);
  });
});

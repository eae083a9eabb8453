import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { idleCollector } from '../../src/daemon/idle-collect.js';

const collections = () => ({ quiet: vi.fn(), settled: vi.fn() });

describe('the idle collector: one full GC once the daemon is quiet, one more once it has stayed quiet', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('collects once, quietMs after the last touch', () => {
    const gc = collections();
    const collector = idleCollector(gc, { quietMs: 3_000, maxWaitMs: 30_000, settleMs: 10_000 });
    collector.touch();
    vi.advanceTimersByTime(2_000);
    collector.touch();
    vi.advanceTimersByTime(2_999);
    expect(gc.quiet).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(gc.quiet).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(9_999);
    expect(gc.settled).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(gc.settled).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60_000);
    expect(gc.quiet).toHaveBeenCalledTimes(1);
    expect(gc.settled).toHaveBeenCalledTimes(1);
  });

  it('a touch before the settled collection starts over: quiet first, then settled', () => {
    const gc = collections();
    const collector = idleCollector(gc, { quietMs: 3_000, maxWaitMs: 30_000, settleMs: 10_000 });
    collector.touch();
    vi.advanceTimersByTime(3_000 + 5_000);
    collector.touch();
    vi.advanceTimersByTime(9_000);
    expect(gc.settled).not.toHaveBeenCalled(); // 5 s + 9 s after the first collection, but touched in between
    expect(gc.quiet).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(4_000);
    expect(gc.settled).toHaveBeenCalledTimes(1);
  });

  it('a daemon touched without pause still collects, maxWaitMs after the first touch', () => {
    const gc = collections();
    const collector = idleCollector(gc, { quietMs: 3_000, maxWaitMs: 10_000, settleMs: 10_000 });
    for (let elapsed = 0; elapsed < 25_000; elapsed += 1_000) {
      collector.touch();
      vi.advanceTimersByTime(1_000);
    }
    // At 10 s and at 20 s (each busy stretch starts again after a collection); never settled.
    expect(gc.quiet).toHaveBeenCalledTimes(2);
    expect(gc.settled).not.toHaveBeenCalled();
    collector.close();
    vi.advanceTimersByTime(60_000);
    expect(gc.quiet).toHaveBeenCalledTimes(2);
    expect(gc.settled).not.toHaveBeenCalled();
  });

  it('without gc (node run without --expose-gc) it does nothing', () => {
    const collector = idleCollector(undefined);
    expect(() => {
      collector.touch();
      vi.advanceTimersByTime(60_000);
      collector.close();
    }).not.toThrow();
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { idleCollector } from '../../src/daemon/idle-collect.js';

describe('the idle collector: one full GC once the daemon is quiet', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('collects once, quietMs after the last touch', () => {
    const gc = vi.fn();
    const collector = idleCollector(gc, 3_000, 30_000);
    collector.touch();
    vi.advanceTimersByTime(2_000);
    collector.touch();
    vi.advanceTimersByTime(2_999);
    expect(gc).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(gc).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60_000);
    expect(gc).toHaveBeenCalledTimes(1);
  });

  it('a daemon touched without pause still collects, maxWaitMs after the first touch', () => {
    const gc = vi.fn();
    const collector = idleCollector(gc, 3_000, 10_000);
    for (let elapsed = 0; elapsed < 25_000; elapsed += 1_000) {
      collector.touch();
      vi.advanceTimersByTime(1_000);
    }
    // At 10 s and at 20 s (each busy stretch starts again after a collection).
    expect(gc).toHaveBeenCalledTimes(2);
    collector.close();
    vi.advanceTimersByTime(60_000);
    expect(gc).toHaveBeenCalledTimes(2);
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

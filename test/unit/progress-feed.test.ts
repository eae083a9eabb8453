import { describe, expect, it } from 'vitest';
import { beginProgress, nextProgress } from '../../src/daemon/progress-feed.js';
import { formatProgress } from '../../src/cli/progress.js';
import type { ServiceSnapshot, Status } from '../../src/types.js';

function service(name: string, status: Status, pids: Array<number | null>, reason: string | null = null): ServiceSnapshot {
  return {
    name, status, reason, port: 1, script: 'a.js', interpreter: 'node', restarts: 0, definition: {} as never,
    instances: pids.map((pid, index) => ({ index, pid, port: 1, status: pid === null ? 'starting' : status, restarts: 0, cpu: 0, memory: 0, uptime: 0, lastExit: null, reason: null })),
  };
}

describe('nextProgress', () => {
  it('reports a new service ready once it is online, once', () => {
    const state = beginProgress([]);
    const watched = new Set(['a']);
    expect(nextProgress(state, [service('a', 'starting', [null])], watched, 'service', 10)).toEqual([]);
    expect(nextProgress(state, [service('a', 'online', [5])], watched, 'service', 20)).toEqual([{ kind: 'ready', service: 'a', elapsedMs: 20 }]);
    expect(nextProgress(state, [service('a', 'online', [5])], watched, 'service', 30)).toEqual([]);
  });

  it('does not call a restarted service ready while it still has its old process', () => {
    const state = beginProgress([service('a', 'online', [5])]);
    expect(nextProgress(state, [service('a', 'online', [5])], new Set(['a']), 'service', 1)).toEqual([]);
    expect(nextProgress(state, [service('a', 'online', [6])], new Set(['a']), 'service', 2)).toEqual([{ kind: 'ready', service: 'a', elapsedMs: 2 }]);
  });

  it('calls a scale-to-zero service ready once it is online with no instance (its port open)', () => {
    const state = beginProgress([]);
    expect(nextProgress(state, [service('zero', 'stopped', [])], new Set(['zero']), 'service', 1)).toEqual([]);
    expect(nextProgress(state, [service('zero', 'online', [])], new Set(['zero']), 'service', 2)).toEqual([{ kind: 'ready', service: 'zero', elapsedMs: 2 }]);
  });

  it('reports a failure with its reason, and ignores services it does not watch', () => {
    const state = beginProgress([]);
    const now = [service('a', 'errored', [null], 'exited with code 1'), service('b', 'online', [7])];
    expect(nextProgress(state, now, new Set(['a']), 'service', 5)).toEqual([{ kind: 'failed', service: 'a', elapsedMs: 5, reason: 'exited with code 1' }]);
  });

  it('in a reload, reports each instance once a new pid is online in it', () => {
    const state = beginProgress([service('a', 'online', [5, 6])]);
    const watched = new Set(['a']);
    expect(nextProgress(state, [service('a', 'online', [8, 6])], watched, 'instance', 3)).toEqual([
      { kind: 'replaced', service: 'a', instance: 0, oldPid: 5, newPid: 8, elapsedMs: 3 },
    ]);
    expect(nextProgress(state, [service('a', 'online', [8, 9])], watched, 'instance', 4)).toEqual([
      { kind: 'replaced', service: 'a', instance: 1, oldPid: 6, newPid: 9, elapsedMs: 4 },
    ]);
  });
});

describe('formatProgress', () => {
  it.each([
    [{ kind: 'ready', service: 'api', elapsedMs: 1234 } as const, '  ✓ api ready after 1.2s'],
    [{ kind: 'failed', service: 'api', elapsedMs: 500, reason: 'exited with code 3' } as const, '  ✗ api failed after 0.5s: exited with code 3'],
    [{ kind: 'replaced', service: 'api', instance: 1, oldPid: 10, newPid: 11, elapsedMs: 2000 } as const, '  ↻ api[1] replaced: pid 10 → 11 after 2.0s'],
  ])('%j → %s', (event, line) => {
    expect(formatProgress(event, false)).toBe(line);
  });
});

import { describe, expect, it } from 'vitest';
import { computeBackoffMs } from '../../src/supervisor/backoff.js';
import { decideRestart, type RestartRules } from '../../src/supervisor/restart-policy.js';
import { checkMemory } from '../../src/supervisor/memory-guard.js';

const rules: RestartRules = { policy: 'always', maxRestarts: 10, restartDelayMs: 100 };
const crash = { code: 1, signal: null };
const clean = { code: 0, signal: null };
const killed = { code: null, signal: 'SIGKILL' };

describe('computeBackoffMs', () => {
  it.each([
    [1, 0], [2, 100], [3, 200], [4, 400], [5, 800], [9, 12_800], [10, 25_600], [11, 30_000], [40, 30_000],
  ])('streak %i waits %i ms', (streak, expected) => {
    expect(computeBackoffMs(streak, 100)).toBe(expected);
  });
});

describe('decideRestart', () => {
  it.each([
    ['first quick crash restarts at once', rules, 0, crash, 1_000, { kind: 'restart', delayMs: 0, streak: 1 }],
    ['second quick crash backs off 100 ms', rules, 1, crash, 1_000, { kind: 'restart', delayMs: 100, streak: 2 }],
    ['fifth quick crash backs off 800 ms', rules, 4, crash, 1_000, { kind: 'restart', delayMs: 800, streak: 5 }],
    ['a crash after a long run is immediate and resets the streak', rules, 9, crash, 30_000, { kind: 'restart', delayMs: 0, streak: 1 }],
    ['the 10th quick crash in a row gives up', rules, 9, crash, 500, { kind: 'give-up', streak: 10 }],
    ['a signal death counts as a crash', rules, 0, killed, 10, { kind: 'restart', delayMs: 0 }],
    ['always restarts a clean exit too', rules, 0, clean, 10, { kind: 'restart' }],
    ['on-failure does not restart a clean exit', { ...rules, policy: 'on-failure' }, 0, clean, 10, { kind: 'stop' }],
    ['on-failure restarts a failure', { ...rules, policy: 'on-failure' }, 0, crash, 10, { kind: 'restart' }],
    ['on-failure restarts a signal death', { ...rules, policy: 'on-failure' }, 0, killed, 10, { kind: 'restart' }],
    ['never does not restart', { ...rules, policy: 'never' }, 0, crash, 10, { kind: 'stop' }],
    ['maxRestarts 3 gives up at the third', { ...rules, maxRestarts: 3 }, 2, crash, 10, { kind: 'give-up', streak: 3 }],
    ['minUptime is configurable', { ...rules, minUptimeMs: 1_000 }, 5, crash, 2_000, { kind: 'restart', delayMs: 0, streak: 1 }],
  ] as const)('%s', (_title, ruleSet, streak, exit, uptime, expected) => {
    expect(decideRestart(ruleSet, streak, exit, uptime)).toMatchObject(expected);
  });

  it('names the reason when it gives up', () => {
    const decision = decideRestart(rules, 9, crash, 10);
    expect(decision.reason).toBe('crashed 10 times in a row, each within 30s of starting; last: exited with code 1');
  });

  it('uses the failure text it is given (a port in use is no exit code)', () => {
    const decision = decideRestart({ ...rules, policy: 'never' }, 0, { code: null, signal: null }, 0, 'port 8000 is in use');
    expect(decision.reason).toBe('port 8000 is in use (restart: never)');
  });
});

describe('checkMemory', () => {
  const mb = 1024 * 1024;
  it.each([
    ['over the limit while online', { status: 'online', memory: 312 * mb }, 300 * mb, 'memory 312 MB > 300 MB'],
    ['under the limit', { status: 'online', memory: 200 * mb }, 300 * mb, null],
    ['over but starting (already being replaced)', { status: 'starting', memory: 312 * mb }, 300 * mb, null],
    ['no sample yet', { status: 'online', memory: null }, 300 * mb, null],
    ['no limit', { status: 'online', memory: 312 * mb }, undefined, null],
  ])('%s', (_title, instance, limit, expected) => expect(checkMemory(instance, limit)).toBe(expected));
});

import type { ExitInfo, RestartPolicy } from '../types.js';
import { computeBackoffMs } from './backoff.js';

/** A crash this soon after start counts toward the quick-crash streak. */
export const DEFAULT_MIN_UPTIME_MS = 30_000;

export interface RestartRules {
  policy: RestartPolicy;
  maxRestarts: number;
  restartDelayMs: number;
  minUptimeMs?: number;
  maxRestartDelayMs?: number;
}

export type RestartDecision =
  | { kind: 'restart'; delayMs: number; streak: number; reason: string }
  | { kind: 'stop'; reason: string }
  | { kind: 'give-up'; streak: number; reason: string };

export function describeExit(exit: ExitInfo): string {
  if (exit.unknown) return 'ended while no daemon was its parent (exit status unknown)';
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exited with code ${exit.code ?? 'unknown'}`;
}

/**
 * Pure: what to do after an instance exited on its own. `streak` is how many
 * quick crashes in a row came before this exit; `what` describes it (an exit,
 * or a failure to start such as a port in use).
 */
export function decideRestart(
  rules: RestartRules,
  streak: number,
  exit: ExitInfo,
  uptimeMs: number,
  what = describeExit(exit),
): RestartDecision {
  const clean = exit.code === 0 && exit.signal === null;
  if (rules.policy === 'never') return { kind: 'stop', reason: `${what} (restart: never)` };
  if (rules.policy === 'on-failure' && clean) return { kind: 'stop', reason: `${what} (restart: on-failure)` };
  const minUptimeMs = rules.minUptimeMs ?? 30_000;
  const quick = uptimeMs < minUptimeMs;
  const nextStreak = quick ? streak + 1 : 1;
  if (quick && nextStreak >= rules.maxRestarts) {
    return {
      kind: 'give-up',
      streak: nextStreak,
      reason: `crashed ${nextStreak} times in a row, each within ${Math.round(minUptimeMs / 1000)}s of starting; last: ${what}`,
    };
  }
  const delayMs = quick ? computeBackoffMs(nextStreak, rules.restartDelayMs, rules.maxRestartDelayMs) : 0;
  return { kind: 'restart', delayMs, streak: nextStreak, reason: what };
}

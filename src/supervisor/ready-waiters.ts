import type { HealthCheck } from '../types.js';
import type { ReadyOutcome } from './instance-types.js';

/** Who waits for an instance to be ready: each gets the outcome once, or a timeout of its own. */
export class ReadyWaiters {
  private readonly waiters = new Set<(outcome: ReadyOutcome) => void>();

  wait(timeoutMs: number, setTimer: (callback: () => void, ms: number) => NodeJS.Timeout, timedOut: () => string): Promise<ReadyOutcome> {
    return new Promise((resolve) => {
      const timer = setTimer(() => {
        this.waiters.delete(settle);
        resolve({ ok: false, reason: timedOut() });
      }, timeoutMs);
      const settle = (outcome: ReadyOutcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      this.waiters.add(settle);
    });
  }

  settle(outcome: ReadyOutcome): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const settle of waiters) settle(outcome);
  }
}

/** What a readiness timeout says it waited for. */
export function readinessText(port: number | null, health: HealthCheck | undefined): string {
  if (port === null) return 'no port';
  return health ? `GET ${health.path} on port ${port} never answered 2xx` : `nothing accepted connections on port ${port}`;
}

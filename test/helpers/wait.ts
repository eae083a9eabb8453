import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Polls `probe` until `accept` holds or the deadline passes; the error names
 * what was awaited and the last value seen, so a failure explains itself.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  accept: (value: T) => boolean = Boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  let pauseMs = 10;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await delay(pauseMs);
    pauseMs = Math.min(200, pauseMs * 2);
  }
  const seen = lastError ? `error ${String(lastError)}` : JSON.stringify(last)?.slice(0, 2000);
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last saw: ${seen}`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie has exited; it only waits to be reaped.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Checks `probe` for `forMs` and fails as soon as `bad` holds: for asserting
 * that something does NOT happen (a relaunch after a delete), which no
 * single check can show. The window is the test's stated bound, not a sleep.
 */
export async function expectNever<T>(what: string, probe: () => T | Promise<T>, bad: (value: T) => boolean, forMs: number): Promise<void> {
  const until = Date.now() + forMs;
  while (Date.now() < until) {
    const value = await probe();
    if (bad(value)) throw new Error(`${what}: saw ${JSON.stringify(value)?.slice(0, 500)}`);
    await delay(25);
  }
}

/**
 * A deliberate offset (a race probe: land a kill a few ms into a command),
 * never a wait for something to happen — use waitFor for that.
 */
export function offset(ms: number): Promise<void> {
  return delay(ms).then(() => undefined);
}

/** Resident memory of a process in bytes (0 when gone). */
export function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

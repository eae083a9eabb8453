import { setTimeout as delay } from 'node:timers/promises';
import { listGroupMembers } from './proc.js';

/** Sends `signal` to the whole process group led by `pid`; falls back to the pid alone. */
export function signalGroup(pid: number, signal: NodeJS.Signals | number): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone
  }
}

/** SIGKILLs what is left of a group and waits (up to `deadlineMs`) until none of it is alive. */
export async function killGroupRemains(pgid: number, deadlineMs = 2_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  let members = listGroupMembers(pgid);
  while (members.length > 0 && Date.now() < until) {
    signalGroup(pgid, 'SIGKILL');
    for (const pid of members) signalPid(pid, 'SIGKILL');
    await delay(10);
    members = listGroupMembers(pgid);
  }
}

/**
 * Graceful stop of a group: `signal` to the group, wait for `exited` up to
 * `killTimeoutMs`, then SIGKILL the group; finally clear any stragglers.
 * `exited` settles when the main process is gone (an exit event for our own
 * child, a /proc poll for one we adopted).
 */
export async function stopGroup(pid: number, exited: Promise<unknown>, signal: NodeJS.Signals, killTimeoutMs: number): Promise<'graceful' | 'killed' | 'stuck'> {
  signalGroup(pid, signal);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), killTimeoutMs);
  });
  const outcome = await Promise.race([exited.then(() => 'exited' as const), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    signalGroup(pid, 'SIGKILL');
    // A process in uninterruptible I/O ignores even SIGKILL for a while: a stop must not wait for ever.
    const gone = await Promise.race([exited.then(() => true), delay(SIGKILL_GRACE_MS).then(() => false)]);
    if (!gone) return 'stuck';
  }
  await killGroupRemains(pid);
  return outcome === 'timeout' ? 'killed' : 'graceful';
}

/** How long a stop waits for a SIGKILLed process to go before it reports it stuck. */
export const SIGKILL_GRACE_MS = 10_000;

/**
 * Stops single processes that left their group (setsid): `signal`, then
 * SIGKILL after `killTimeoutMs` for those still alive.
 */
export async function stopStrays(pids: number[], signal: NodeJS.Signals, killTimeoutMs: number, alive: (pid: number) => boolean): Promise<void> {
  if (pids.length === 0) return;
  for (const pid of pids) signalGroup(pid, signal);
  const until = Date.now() + killTimeoutMs;
  while (Date.now() < until && pids.some(alive)) await delay(20);
  for (const pid of pids.filter(alive)) signalGroup(pid, 'SIGKILL');
  const settle = Date.now() + 2_000;
  while (Date.now() < settle && pids.some(alive)) await delay(10);
}

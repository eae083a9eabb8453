import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

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

/** Live (non-zombie) members of process group `pgid`, from /proc. */
export function listGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return members;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat && stat.pgrp === pgid && stat.state !== 'Z') members.push(Number(entry));
  }
  return members;
}

export interface ProcStat {
  state: string;
  pgrp: number;
}

export function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name may contain spaces and parentheses: fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '?', pgrp: Number(fields[2]) };
}

/** SIGKILLs what is left of a group and waits (up to `deadlineMs`) until none of it is alive. */
export async function killGroupRemains(pgid: number, deadlineMs = 2_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  let members = listGroupMembers(pgid);
  while (members.length > 0 && Date.now() < until) {
    signalGroup(pgid, 'SIGKILL');
    for (const pid of members) signalGroup(pid, 'SIGKILL');
    await delay(10);
    members = listGroupMembers(pgid);
  }
}

/**
 * Graceful group stop: `signal` to the group, wait for the main process up to
 * `killTimeoutMs`, then SIGKILL the group; finally clear any stragglers.
 */
export async function stopGroup(
  pid: number,
  exited: Promise<unknown>,
  signal: NodeJS.Signals,
  killTimeoutMs: number,
): Promise<'graceful' | 'killed'> {
  signalGroup(pid, signal);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), killTimeoutMs);
  });
  const outcome = await Promise.race([exited.then(() => 'exited' as const), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    signalGroup(pid, 'SIGKILL');
    await exited;
  }
  await killGroupRemains(pid);
  return outcome === 'timeout' ? 'killed' : 'graceful';
}

/**
 * Stops a group that is not our child (left by a daemon that died): signal,
 * poll until it is gone or `killTimeoutMs` passes, then SIGKILL what is left.
 */
export async function stopForeignGroup(pid: number, signal: NodeJS.Signals, killTimeoutMs: number): Promise<void> {
  signalGroup(pid, signal);
  const until = Date.now() + killTimeoutMs;
  while (Date.now() < until && listGroupMembers(pid).length > 0) await delay(20);
  await killGroupRemains(pid);
}

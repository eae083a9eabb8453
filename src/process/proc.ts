import { closeSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';

// The one owner of /proc reads: process stat, environment, fds, groups.
// Every function returns null/[] for a process that is gone or not ours to read.

/**
 * The buffer every /proc read goes through. readFileSync cannot size a /proc
 * file (stat says 0) and allocates 64 KiB twice for each: a scan of every
 * process on a stop, ~130 KB per process, was MBs of malloc the daemon's heap
 * kept after the buffers were collected. Grown for a large environment, then
 * given back.
 */
const SCRATCH_BYTES = 16 * 1024;
let scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);

/** The whole of a /proc file as latin1 text, or null when it cannot be read (the process is gone). */
function readProcText(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    let length = 0;
    for (;;) {
      if (length === scratch.length) {
        const bigger = Buffer.allocUnsafeSlow(scratch.length * 2);
        scratch.copy(bigger, 0, 0, length);
        scratch = bigger;
      }
      const read = readSync(fd, scratch, length, scratch.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return scratch.toString('latin1', 0, length);
  } catch {
    return null;
  } finally {
    closeSync(fd);
    if (scratch.length > SCRATCH_BYTES) scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  }
}

export interface ProcStat {
  /** R, S, D, Z, T, ... */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** Clock ticks after boot: with the pid, names one process for good (pids are reused). */
  startTime: number;
}

/** Pure: the fields of a /proc/<pid>/stat line (the command name may hold spaces and parentheses). */
export function parseProcStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close === -1) return null;
  const fields = text.slice(close + 2).split(' ');
  if (fields.length < 20) return null;
  return { state: fields[0]!, ppid: Number(fields[1]), pgrp: Number(fields[2]), session: Number(fields[3]), startTime: Number(fields[19]) };
}

export function readProcStat(pid: number): ProcStat | null {
  const text = readProcText(`/proc/${pid}/stat`);
  return text === null ? null : parseProcStat(text);
}

/** Every pid in /proc. */
export function listPids(): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (entry.charCodeAt(0) > 57) continue; // not a pid: skip without Number()
    const pid = Number(entry);
    if (Number.isInteger(pid) && pid > 0) pids.push(pid);
  }
  return pids;
}

/** True while `pid` is the same live process (not a zombie, not a reused pid). */
export function isSameProcess(pid: number, startTime: number): boolean {
  const stat = readProcStat(pid);
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X' && stat.startTime === startTime;
}

/** Live (non-zombie) members of process group `pgid`. */
export function listGroupMembers(pgid: number): number[] {
  return listPids().filter((pid) => {
    const stat = readProcStat(pid);
    return stat !== null && stat.pgrp === pgid && stat.state !== 'Z';
  });
}

/** Every live process with its group, for the sampler's per-group sums. */
export function listProcessGroups(): Array<{ pid: number; pgrp: number }> {
  const result: Array<{ pid: number; pgrp: number }> = [];
  for (const pid of listPids()) {
    const stat = readProcStat(pid);
    if (stat && stat.state !== 'Z') result.push({ pid, pgrp: stat.pgrp });
  }
  return result;
}

/** The NUL-separated environment block of a process, or null. */
export function readEnviron(pid: number): string | null {
  return readProcText(`/proc/${pid}/environ`);
}

/** Where fd `fd` of `pid` points ("/path", "pipe:[123]", "socket:[456]"), or null. */
export function readFdLink(pid: number, fd: number | string): string | null {
  try {
    return readlinkSync(`/proc/${pid}/fd/${fd}`);
  } catch {
    return null;
  }
}

export function listFds(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
}

/** Linux's USER_HZ: /proc start times are in these ticks (100 on every mainstream architecture). */
const CLOCK_TICKS_PER_SECOND = 100;

export function ticksToMs(ticks: number): number {
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

let bootTime: number | null = null;

/** When the machine booted (ms since epoch), from /proc/stat: a process's start time is relative to it. */
export function bootTimeMs(): number {
  if (bootTime !== null) return bootTime;
  const match = /^btime (\d+)$/m.exec(readProcText('/proc/stat') ?? '');
  bootTime = match ? Number(match[1]) * 1000 : 0;
  return bootTime;
}

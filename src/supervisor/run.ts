import type { LogSource } from '../logs/service-log-sink.js';
import { listPids, readEnviron, readProcStat } from '../process/proc.js';
import { SPAWN_MARKER } from '../process/supervised-marker.js';
import type { ExitInfo } from '../types.js';

/** One process of an instance: spawned by this daemon, or adopted from a previous one. */
export interface Run {
  /** Names this run in its processes' environment (APICTL_SPAWN_ID) and in its FIFO names. */
  spawnId: string;
  pid: number;
  /** /proc start time of `pid`: with it, the pid names this process even after pids are reused. */
  startTime: number;
  /** ms since epoch when it started (adopted: when the previous daemon started it). */
  startedAt: number;
  adopted: boolean;
  /** Resolves when the main process is gone (adopted: exit status unknown). */
  exited: Promise<ExitInfo>;
  logs: LogSource[];
}

/**
 * The processes of a run besides its main one: members of its group, and
 * strays that left the group (setsid) but carry its spawn id. Strays must have
 * started after the run did, so only newer processes' environments are read.
 */
export function findRunProcesses(run: Pick<Run, 'pid' | 'spawnId' | 'startTime'>): { group: number[]; strays: number[] } {
  const group: number[] = [];
  const strays: number[] = [];
  const marker = `${SPAWN_MARKER}=${run.spawnId}\0`;
  for (const pid of listPids()) {
    if (pid === process.pid) continue;
    const stat = readProcStat(pid);
    if (!stat || stat.state === 'Z') continue;
    if (stat.pgrp === run.pid) group.push(pid);
    else if (stat.startTime >= run.startTime && readEnviron(pid)?.includes(marker)) strays.push(pid);
  }
  return { group, strays };
}

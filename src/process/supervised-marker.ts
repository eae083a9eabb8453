import { readdirSync, readFileSync } from 'node:fs';

/**
 * Every child gets this variable (its grandchildren inherit it). A daemon that
 * died — even between spawning a child and recording its pid — leaves no
 * process a new daemon cannot find: it scans /proc for the marker.
 */
export const SUPERVISOR_MARKER = 'APICTL_SUPERVISOR_HOME';

export interface MarkedProcess {
  pid: number;
  /** The service it belongs to (APICTL_NAME), when the child kept it. */
  service: string | null;
}

/** Pure: the marker's value and service name from a NUL-separated environ block. */
export function readMarker(environ: string): { home: string | null; service: string | null } {
  let home: string | null = null;
  let service: string | null = null;
  for (const entry of environ.split('\0')) {
    if (entry.startsWith(`${SUPERVISOR_MARKER}=`)) home = entry.slice(SUPERVISOR_MARKER.length + 1);
    else if (entry.startsWith('APICTL_NAME=')) service = entry.slice('APICTL_NAME='.length);
  }
  return { home, service };
}

/** Processes (other than this one) that a daemon for `home` started, from /proc. */
export function findMarkedProcesses(home: string): MarkedProcess[] {
  const found: MarkedProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue; // gone, or not ours to read
    }
    const marker = readMarker(environ);
    if (marker.home === home) found.push({ pid, service: marker.service });
  }
  return found;
}

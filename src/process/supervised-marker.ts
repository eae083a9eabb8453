import { listPids, readEnviron } from './proc.js';

/**
 * Every child gets these variables (its grandchildren inherit them). A daemon
 * that died — even between spawning a child and recording its pid — leaves no
 * process a new daemon cannot find: it scans /proc for the home marker, and
 * the spawn id names the instance run a process belongs to.
 */
export const SUPERVISOR_MARKER = 'APICTL_SUPERVISOR_HOME';
export const SPAWN_MARKER = 'APICTL_SPAWN_ID';

export interface Marker {
  home: string | null;
  /** APICTL_NAME, when the child kept it. */
  service: string | null;
  spawnId: string | null;
}

export interface MarkedProcess {
  pid: number;
  service: string | null;
  spawnId: string | null;
}

/** Pure: apictl's variables from a NUL-separated environ block. */
export function readMarker(environ: string): Marker {
  const marker: Marker = { home: null, service: null, spawnId: null };
  for (const entry of environ.split('\0')) {
    if (entry.startsWith(`${SUPERVISOR_MARKER}=`)) marker.home = entry.slice(SUPERVISOR_MARKER.length + 1);
    else if (entry.startsWith('APICTL_NAME=')) marker.service = entry.slice('APICTL_NAME='.length);
    else if (entry.startsWith(`${SPAWN_MARKER}=`)) marker.spawnId = entry.slice(SPAWN_MARKER.length + 1);
  }
  return marker;
}

/** Processes (other than this one) that a daemon for `home` started, from /proc. */
export function findMarkedProcesses(home: string): MarkedProcess[] {
  const found: MarkedProcess[] = [];
  for (const pid of listPids()) {
    if (pid === process.pid) continue;
    const environ = readEnviron(pid);
    // A cheap test before splitting: most processes on the machine are not ours.
    if (environ === null || !environ.includes(SUPERVISOR_MARKER)) continue;
    const marker = readMarker(environ);
    if (marker.home === home) found.push({ pid, service: marker.service, spawnId: marker.spawnId });
  }
  return found;
}

/** The service's definition (services-file form, env values left out), so a process can tell what it is. */
export const DEFINITION_MARKER = 'APICTL_DEFINITION';

/** Pure: the entries of a NUL-separated environ block as an object. */
export function parseEnviron(environ: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of environ.split('\0')) {
    const equals = entry.indexOf('=');
    if (equals > 0) env[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  return env;
}

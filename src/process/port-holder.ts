import { readFileSync } from 'node:fs';
import { listFds, listPids, readFdLink } from './proc.js';

/** Pid of the process listening on a TCP port, from /proc (Linux); null when not visible. */
export function findPortHolder(port: number): number | null {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      if (!local || fields[3] !== '0A') continue; // 0A = LISTEN
      if (parseInt(local.split(':')[1] ?? '', 16) === port && fields[9]) inodes.add(fields[9]);
    }
  }
  if (inodes.size === 0) return null;
  for (const pid of listPids()) {
    for (const fd of listFds(pid)) {
      const match = /^socket:\[(\d+)\]$/.exec(readFdLink(pid, fd) ?? '');
      if (match && inodes.has(match[1]!)) return pid;
    }
  }
  return null;
}

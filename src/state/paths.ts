import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { realpathSync } from 'node:fs';

export interface HomePaths {
  home: string;
  socket: string;
  pid: string;
  daemonLog: string;
  state: string;
  dump: string;
  logs: string;
  /** FIFOs of the children's stdout/stderr and their carry files. */
  run: string;
}

/**
 * $APICTL_HOME (default ~/.apictl), absolute and, when it exists, with every
 * symlink resolved: one home reached by two paths is one home (one lock, one
 * marker, one daemon).
 */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.APICTL_HOME;
  const home = configured && configured.length > 0 ? resolve(configured) : join(homedir(), '.apictl');
  try {
    return realpathSync(home);
  } catch {
    return home;
  }
}

export function resolvePaths(home: string = resolveHome()): HomePaths {
  return {
    home,
    socket: join(home, 'daemon.sock'),
    pid: join(home, 'daemon.pid'),
    daemonLog: join(home, 'daemon.log'),
    state: join(home, 'state.json'),
    dump: join(home, 'dump.json'),
    logs: join(home, 'logs'),
    run: join(home, 'run'),
  };
}

export function serviceLogPath(paths: HomePaths, name: string, stream: 'out' | 'err'): string {
  return join(paths.logs, `${name}.${stream}.log`);
}

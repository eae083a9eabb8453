import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface HomePaths {
  home: string;
  socket: string;
  pid: string;
  daemonLog: string;
  state: string;
  dump: string;
  logs: string;
}

export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.APICTL_HOME;
  return configured && configured.length > 0 ? resolve(configured) : join(homedir(), '.apictl');
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
  };
}

export function serviceLogPath(paths: HomePaths, name: string, stream: 'out' | 'err'): string {
  return join(paths.logs, `${name}.${stream}.log`);
}

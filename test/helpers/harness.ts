import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'node:http';
import type { ServiceSnapshot } from '../../src/types.js';
import { isAlive, waitFor } from './wait.js';
import { findMarkedProcesses } from '../../src/process/supervised-marker.js';
import { listPids, readEnviron, readProcStat } from '../../src/process/proc.js';

export const REPO = resolve(import.meta.dirname, '../..');
export const BIN = join(REPO, 'bin/apictl');
export const FIXTURES = join(REPO, 'test/fixtures');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A temp APICTL_HOME, its own port range, and the apictl CLI bound to both.
 * `cleanup` stops the daemon and fails if any process it ever reported survives.
 */
export class Harness {
  readonly home: string;
  readonly work: string;
  private readonly seenPids = new Set<number>();

  constructor(readonly portBase: number) {
    this.work = mkdtempSync(join(tmpdir(), 'apictl-test-'));
    this.home = join(this.work, 'home');
  }

  get env(): NodeJS.ProcessEnv {
    const env = { ...process.env, APICTL_HOME: this.home, APICTL_PORT_BASE: String(this.portBase), NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    return env;
  }

  run(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
    return new Promise((resolvePromise) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        { cwd: options.cwd ?? this.work, env: { ...this.env, ...options.env }, timeout: options.timeoutMs ?? 90_000, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolvePromise({ code, stdout, stderr });
        },
      );
    });
  }

  async ok(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw new Error(`apictl ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    return result;
  }

  async list(): Promise<ServiceSnapshot[]> {
    const services = JSON.parse((await this.ok(['list', '--json'])).stdout) as ServiceSnapshot[];
    for (const service of services) for (const instance of service.instances) if (instance.pid) this.seenPids.add(instance.pid);
    return services;
  }

  async service(name: string): Promise<ServiceSnapshot> {
    const found = (await this.list()).find((service) => service.name === name);
    if (!found) throw new Error(`no service ${name}`);
    return found;
  }

  async waitForStatus(name: string, status: string, timeoutMs = 30_000): Promise<ServiceSnapshot> {
    return waitFor(`${name} to be ${status}`, () => this.service(name), (service) => service.status === status, timeoutMs);
  }

  waitFor<T>(what: string, probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
    return waitFor(what, probe, accept, timeoutMs);
  }

  trackPid(pid: number): void {
    this.seenPids.add(pid);
  }

  daemonPid(): number | null {
    try {
      return Number(readFileSync(join(this.home, 'daemon.pid'), 'utf8').trim()) || null;
    } catch {
      return null;
    }
  }

  async cleanup(): Promise<void> {
    const daemon = this.daemonPid();
    if (daemon) await this.run(['kill'], { timeoutMs: 60_000 });
    // The keeper leaves with its daemon after `kill`: one that stays would start daemons after the test.
    const keepers = await waitFor('the keeper to exit', () => findKeepers(this.home), (found) => found.length === 0, 10_000).catch(() => findKeepers(this.home));
    for (const pid of keepers) process.kill(pid, 'SIGKILL');
    const survivors = await waitFor(
      'every child and the daemon to exit',
      () => [...this.seenPids, ...(daemon ? [daemon] : [])].filter(isAlive),
      (alive) => alive.length === 0,
      20_000,
    ).catch(() => [...this.seenPids].filter(isAlive));
    for (const pid of survivors) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    // Anything a daemon of this home ever started carries the marker: none may outlive the test.
    const leaked = sweepHome(this.home);
    rmSync(this.work, { recursive: true, force: true });
    if (survivors.length > 0) throw new Error(`processes survived cleanup: ${survivors.join(', ')}`);
    if (keepers.length > 0) throw new Error(`keepers survived cleanup: ${keepers.join(', ')}`);
    if (leaked.length > 0) throw new Error(`processes the daemon no longer knew survived: ${leaked.join(', ')}`);
  }
}

/**
 * Kills (by pid) whatever still runs for `home`: its keeper, its daemon and
 * every process carrying its supervisor marker. Returns the marked pids it
 * found alive. For homes a test made besides the harness's own (a tmpfs).
 */
export function sweepHome(home: string): number[] {
  for (const pid of findKeepers(home)) signal(pid);
  try {
    const daemon = Number(readFileSync(join(home, 'daemon.pid'), 'utf8').trim());
    if (daemon > 1 && (readEnviron(daemon) ?? '').includes(`\0APICTL_HOME=${home}\0`)) signal(daemon);
  } catch {
    // no daemon.pid
  }
  const leaked = findMarkedProcesses(home).map((found) => found.pid).filter(isAlive);
  for (const pid of leaked) signal(pid);
  return leaked;
}

function signal(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Keeper processes (bin/apictl-keeper) of a home: they carry APICTL_KEEPER_HOME. */
export function findKeepers(home: string): number[] {
  return listPids().filter((pid) => pid !== process.pid && (readEnviron(pid) ?? '').includes(`\0APICTL_KEEPER_HOME=${home}\0`) && isAlive(pid) && readProcStat(pid)?.state !== 'Z' && /apictl-keeper/.test(readCmdline(pid)));
}

function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return '';
  }
}

export function httpGet(port: number, path = '/', timeoutMs = 2_000): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Starts a process outside apictl (e.g. to hold a port); returns it for cleanup. */
export function spawnOutside(command: string, args: string[]) {
  return spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
}

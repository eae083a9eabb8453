// Measuring helpers shared by the workloads: processes, HTTP probes, /proc readings.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';

export const CLOCK_TICKS = 100;

export function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Number(process.hrtime.bigint() - started) / 1e6 });
    });
  });
}

export function httpOk(port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Polls `probe` every `everyMs` until truthy; throws naming `what` at the deadline. */
export async function until(what, probe, timeoutMs = 60_000, everyMs = 2) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await delay(everyMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The baseline for restarts and cold starts: spawn `node script` on `port`, poll it every 1 ms, ms until it answers; then kill it. */
export async function bareSpawnToAnswerMs(script, port) {
  const started = performance.now();
  const child = spawn(process.execPath, [script], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
  await until('bare server to answer', () => httpOk(port, 200), 30_000, 1);
  const ms = performance.now() - started;
  child.kill('SIGKILL');
  await until('bare server to exit', () => !isAlive(child.pid), 5_000, 5);
  return ms;
}

export function rssBytes(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** utime + stime of a process, in clock ticks. */
export function cpuTicks(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** % of one core used by `pid` while `work` runs. */
export async function cpuDuring(pid, work) {
  const ticks = cpuTicks(pid);
  const started = Date.now();
  const result = await work();
  const seconds = (Date.now() - started) / 1000;
  return { percent: ((cpuTicks(pid) - ticks) / CLOCK_TICKS / seconds) * 100, result, seconds };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A pid from a file such as daemon.pid, or null. */
export function readPidFile(path) {
  try {
    return Number(readFileSync(path, 'utf8')) || null;
  } catch {
    return null;
  }
}

/** SIGKILLs whatever an engine ever reported that is still alive (its group when it leads one). */
export function killSurvivors(pids) {
  for (const pid of pids) {
    if (!isAlive(pid)) continue;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
}

/** What apictl and pm2 engines share: both CLIs take `delete all` and `kill`. */
export function engineLifecycle({ cli, work, seen, pidFile }) {
  const daemonPid = () => readPidFile(pidFile);
  return {
    daemonPid,
    async deleteAll() {
      await cli(['delete', 'all']);
    },
    async killDaemonHard() {
      process.kill(daemonPid(), 'SIGKILL');
    },
    async teardown() {
      await cli(['kill']);
      killSurvivors(seen);
      rmSync(work, { recursive: true, force: true });
    },
  };
}

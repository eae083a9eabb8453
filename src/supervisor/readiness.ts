import { connect } from 'node:net';

/** True when something accepts a TCP connection on 127.0.0.1:port. */
export function probeTcp(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True on a 2xx answer to GET http://127.0.0.1:port<path>. */
export async function probeHttp(port: number, path: string, timeoutMs: number): Promise<boolean> {
  // node:http (~1 MB resident) is loaded with the first service that has a health path, not with the daemon.
  const { request } = await import('node:http');
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
    req.end();
  });
}

export interface ReadinessTarget {
  port: number | null;
  healthPath?: string;
  healthTimeoutMs?: number;
}

export const NO_PORT_READY_AFTER_MS = 1_000;
/** For the first seconds a probe at least every 10 ms (a request held through a cold start waits on it), then every 250 ms. */
const FAST_PROBE_MS = 10;
const FAST_PROBING_FOR_MS = 10_000;
const SLOW_PROBE_MS = 250;

/** Pure: the pause before the next readiness probe, growing from 5 ms. */
export function nextProbeDelayMs(previousMs: number, elapsedMs: number): number {
  return Math.min(elapsedMs < FAST_PROBING_FOR_MS ? FAST_PROBE_MS : SLOW_PROBE_MS, Math.ceil(previousMs * 1.5));
}

/**
 * Polls until the instance is ready: health path 2xx, else TCP accept, else
 * (no port) 1 s alive. Polls fast at first (a restart or a cold start should
 * be seen at once), then slower. Resolves false when aborted.
 */
export async function waitForReady(target: ReadinessTarget, signal: AbortSignal): Promise<boolean> {
  if (target.port === null) return sleep(NO_PORT_READY_AFTER_MS, signal);
  const startedAt = Date.now();
  let intervalMs = 5;
  while (!signal.aborted) {
    const ready = target.healthPath
      ? await probeHttp(target.port, target.healthPath, target.healthTimeoutMs ?? 1_000)
      : await probeTcp(target.port);
    if (ready && !signal.aborted) return true;
    if (!(await sleep(intervalMs, signal))) return false;
    intervalMs = nextProbeDelayMs(intervalMs, Date.now() - startedAt);
  }
  return false;
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

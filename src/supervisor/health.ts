import type { HealthCheck } from '../types.js';
import { probeHttp, sleep } from './readiness.js';

/**
 * Checks an online instance every `intervalMs`; resolves with a reason once
 * `failures` checks in a row fail, or null when `signal` aborts.
 */
export async function watchHealth(port: number, health: HealthCheck, signal: AbortSignal): Promise<string | null> {
  let failed = 0;
  while (await sleep(health.intervalMs, signal)) {
    const ok = await probeHttp(port, health.path, health.timeoutMs);
    if (signal.aborted) return null;
    failed = ok ? 0 : failed + 1;
    if (failed >= health.failures) return `health check GET ${health.path} failed ${failed} times in a row`;
  }
  return null;
}

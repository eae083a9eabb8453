export const DEFAULT_MAX_RESTART_DELAY_MS = 30_000;

/**
 * Delay before restart number `streak` of a run of quick crashes: the first
 * is immediate, then `baseMs` doubling up to `maxMs` (0, 100, 200, 400, ...).
 */
export function computeBackoffMs(streak: number, baseMs: number, maxMs = DEFAULT_MAX_RESTART_DELAY_MS): number {
  if (streak <= 1) return 0;
  return Math.min(maxMs, baseMs * 2 ** (streak - 2));
}

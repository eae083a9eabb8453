// The services file's defaults, apart from its zod schema: code that only needs
// a default (recovery, the launcher) does not load zod for it.

export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const DEFAULT_KILL_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_RESTARTS = 10;
export const DEFAULT_RESTART_DELAY_MS = 100;
export const DEFAULT_HEALTH = { intervalMs: 10_000, timeoutMs: 5_000, failures: 3 };
export const DEFAULT_LOG_MAX_LINE_BYTES = 1024 ** 2;
export const DEFAULT_AUTOSCALE = { maxConnsPerInstance: 20, loadFactor: 0.5, idleTimeoutMs: 300_000, coldStartTimeoutMs: 60_000 };

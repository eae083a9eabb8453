import type { Logger } from 'pino';
import type { ExitInfo, HealthCheck, ServiceDefinition, Status } from '../types.js';
import type { Run } from './run.js';

/** Everything an instance does to the world, passed in so its races can be unit-tested with fake timers. */
export interface InstanceEffects {
  /** Starts a process for this instance with its output attached; rejects with the OS error. */
  launch(index: number, port: number | null): Promise<Run>;
  /** Stops a run: its stop signal to the group, SIGKILL after the timeout, then any process that escaped the group ('stuck': SIGKILL did not end it). */
  stopRun(run: Run, signal: NodeJS.Signals, killTimeoutMs: number): Promise<'graceful' | 'killed' | 'stuck'>;
  /** After its process exited: kills what is left of its group and writes the rest of its output. */
  endRun(run: Run): Promise<void>;
  isPortFree(port: number): Promise<boolean>;
  /** " by pid 123", or "" when the holder is not visible. */
  portHolder(port: number): string;
  waitForReady(port: number | null, health: HealthCheck | undefined, signal: AbortSignal): Promise<boolean>;
  /** Resolves with a reason once health checks fail in a row, or null when `signal` aborts. */
  watchHealth(port: number, health: HealthCheck, signal: AbortSignal): Promise<string | null>;
  now(): number;
  setTimer(callback: () => void, ms: number): NodeJS.Timeout;
}

export interface InstanceContext {
  definition: () => ServiceDefinition;
  effects: InstanceEffects;
  /** Writes a line of apictl's own into the service's err log. */
  note: (index: number, line: string) => void;
  logger: Logger;
  changed: () => void;
}

export type ReadyOutcome = { ok: true } | { ok: false; reason: string };

/** Recorded in state.json: what a new daemon needs to adopt the process, and the counts it carries over. */
export interface InstanceRecord {
  index: number;
  port: number | null;
  status: Status;
  restarts: number;
  streak: number;
  lastExit?: ExitInfo | null;
  reason?: string | null;
  run: { spawnId: string; pid: number; startTime: number; startedAt: number } | null;
}

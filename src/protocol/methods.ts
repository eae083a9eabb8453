import type { LogLine, LogStream } from '../logs/log-line.js';
import type { RouteTable, ServiceSnapshot } from '../types.js';

// The wire contract: every method the daemon answers, with its params, its
// result and the events it streams before the result. Client and handlers are
// both typed against this map; commands import wire types from here only.

export type { LogLine, LogStream } from '../logs/log-line.js';
export type { AutoscaleSnapshot, RequestFigures, RouteTable, ScaleRecord, ServiceDefinition, ServiceSnapshot, Status } from '../types.js';

export interface StartResult {
  name: string;
  action: 'started' | 'already-running' | 'restarted' | 'reloaded' | 'stopped' | 'deleted';
  ok: boolean;
  reason?: string;
  lastLines?: string[];
  snapshot?: ServiceSnapshot;
}

/** A services file as the CLI read it: the parsed object, where it was, and the line of each value it knows. */
export interface ServicesFilePayload {
  raw: unknown;
  /** Shown in messages: the path as the user typed it. */
  source: string;
  /** Relative paths in the file are relative to this folder. */
  baseDir: string;
  /** formatted field path (`services[1].port`) → line in the file */
  lines?: Record<string, number>;
}

export interface WaitParams {
  /** false: answer at once, without waiting for ready. */
  wait?: boolean;
  /** Readiness deadline; the daemon's default (30 s) when left out. */
  timeoutMs?: number;
  /** Stream `progress` events (the CLI asks on a terminal). */
  progress?: boolean;
}

/**
 * `byName`: the CLI saw a bare word that is no file (`apictl start api`, as in
 * pm2): a registered service (or "all") of that name is started if stopped;
 * otherwise the word is a script, as usual.
 */
export type StartParams = WaitParams & { cwd: string; only?: string[] } & ({ file: ServicesFilePayload } | { service: Record<string, unknown>; byName?: boolean });

/** Streamed by start, restart, reload and resurrect while they work. */
export type ProgressEvent =
  | { kind: 'ready'; service: string; elapsedMs: number }
  | { kind: 'failed'; service: string; elapsedMs: number; reason: string }
  | { kind: 'replaced'; service: string; instance: number; oldPid: number | null; newPid: number; elapsedMs: number };

export interface ScaleParams {
  target: string;
  /** A count to pin, or "auto" to follow the load again. */
  count: number | 'auto';
  /** false: answer once pinned, without waiting for the count. */
  wait?: boolean;
  /** How long to wait for the count (default 60 s). */
  timeoutMs?: number;
}

export interface ScaleResult {
  name: string;
  /** The pinned count runs and is ready (always true for "auto" and without waiting). */
  reached: boolean;
  reason?: string;
  snapshot: ServiceSnapshot;
}

export interface MetricSample {
  time: number;
  cpu: number;
  memory: number;
}

export interface ShowResult {
  snapshot: ServiceSnapshot;
  recent: LogLine[];
  history: Record<number, MetricSample[]>;
}

export interface MonitorSnapshot {
  services: ServiceSnapshot[];
  daemon: { pid: number; uptimeMs: number };
}

type Target = { target: string };
type NoEvents = Record<never, never>;
type Progress = { progress: ProgressEvent };
/** Sent by the daemon to a streaming caller that stopped reading: how many events it dropped for it. */
type Skipped = { skipped: { events: number } };

export interface Methods {
  ping: { params: Record<string, never>; result: { pong: true; pid: number; protocol: number; version: string; uptimeMs: number; home: string }; events: NoEvents };
  start: { params: StartParams; result: StartResult[]; events: Progress };
  stop: { params: Target; result: StartResult[]; events: NoEvents };
  restart: { params: Target & WaitParams; result: StartResult[]; events: Progress };
  reload: { params: Target & WaitParams; result: StartResult[]; events: Progress };
  delete: { params: Target; result: StartResult[]; events: NoEvents };
  scale: { params: ScaleParams; result: ScaleResult; events: NoEvents };
  list: { params: Record<string, never>; result: ServiceSnapshot[]; events: NoEvents };
  routes: { params: Record<string, never>; result: RouteTable[]; events: NoEvents };
  show: { params: Target; result: ShowResult; events: NoEvents };
  flush: { params: { target?: string }; result: { flushed: string[] }; events: NoEvents };
  save: { params: Record<string, never>; result: { path: string; saved: string[] }; events: NoEvents };
  resurrect: { params: WaitParams; result: { started: StartResult[]; skipped: string[]; issues: string[] }; events: Progress };
  logs: { params: { target?: string; stream?: LogStream }; result: null; events: { line: LogLine } & Skipped };
  recent: { params: { target?: string; limit?: number }; result: LogLine[]; events: NoEvents };
  monitor: { params: Record<string, never>; result: null; events: { snapshot: MonitorSnapshot; lines: { lines: LogLine[]; dropped: number } } & Skipped };
  kill: { params: Record<string, never>; result: { pid: number }; events: NoEvents };
  /** Prometheus exposition text (what APICTL_METRICS_PORT serves). */
  metrics: { params: Record<string, never>; result: { text: string }; events: NoEvents };
  /** Live objects in the daemon's heap by constructor name (debugging: what a deleted service left behind). */
  heapCounts: { params: { names: string[] }; result: Record<string, number>; events: NoEvents };
  /** Hands over to a new daemon of the installed build (the keeper starts it); answers with the old pid. */
  update: { params: Record<string, never>; result: { pid: number }; events: NoEvents };
}

export type MethodName = keyof Methods;
export type ParamsOf<M extends MethodName> = Methods[M]['params'];
export type ResultOf<M extends MethodName> = Methods[M]['result'];
/** One streamed event of method M, narrowed by its name. */
export type EventOf<M extends MethodName> = {
  [E in keyof Methods[M]['events']]: { event: E; data: Methods[M]['events'][E] };
}[keyof Methods[M]['events']];

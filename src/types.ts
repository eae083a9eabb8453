// Three shapes, never one bag: what the user wrote (ServiceDefinition), what
// the daemon tracks at runtime (InstanceState, daemon-only), and what goes over
// the wire and out of `list --json` (ServiceSnapshot).

export type RestartPolicy = 'always' | 'on-failure' | 'never';

export type Status = 'starting' | 'online' | 'stopping' | 'stopped' | 'waiting' | 'errored';

export interface HealthCheck {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  failures: number;
}

/** A service as the user defined it, with paths made absolute and the port fixed. */
export interface ServiceDefinition {
  name: string;
  script: string;
  interpreter?: string;
  interpreterArgs: string[];
  args: string[];
  cwd: string;
  /** null: the service listens on no port (ready after 1 s alive). */
  port: number | null;
  instances: number;
  env: Record<string, string>;
  envFile?: string;
  restart: RestartPolicy;
  maxRestarts: number;
  restartDelayMs: number;
  killTimeoutMs: number;
  stopSignal?: string;
  health?: HealthCheck;
  maxMemoryBytes?: number;
  watch?: string[];
  ignore?: string[];
  logMaxBytes?: number;
  logKeep?: number;
  /** Restart on a schedule (cron, 5 or 6 fields). */
  cronRestart?: string;
  /** Per-instance cap on requests in flight; over it requests queue at the balancer. */
  maxInflight?: number;
  /** Keep a client on one instance with a cookie. */
  sticky?: boolean;
  /** false: store lines without the timestamp prefix (for apps that stamp their own). */
  logDate?: boolean;
  // Validated and passed through; their owners apply them (defaults in config/schema.ts).
  /** A longer line is written in pieces of this size (default 1 MiB). */
  logMaxLineBytes?: number;
  /** false: the service does not get the daemon's environment (default true). */
  inheritEnv?: boolean;
  /** How long draining an instance waits for its in-flight requests (default 30 s). */
  drainTimeoutMs?: number;
  /** One line per request in the out log. */
  accessLog?: boolean;
  /** Present when `instances` was {min, max}; `instances` is then the count to start with. */
  autoscale?: AutoscaleSettings;
}

/** `instances: {min, max}` and its tuning fields, as given (defaults filled). */
export interface AutoscaleSettings {
  min: number;
  max: number;
  maxConnsPerInstance: number;
  loadFactor: number;
  idleTimeoutMs: number;
  coldStartTimeoutMs: number;
}

/** One port fronting several services by path prefix (a services file's `routes`). */
export interface RouteTable {
  port: number;
  /** prefix ("/api") → service name */
  paths: Record<string, string>;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** The process ended while no daemon was its parent (adopted): code and signal are not known. */
  unknown?: boolean;
}

export interface InstanceSnapshot {
  index: number;
  pid: number | null;
  port: number | null;
  status: Status;
  restarts: number;
  cpu: number;
  memory: number;
  uptime: number;
  lastExit: ExitInfo | null;
  reason: string | null;
  /** Taken over from a previous daemon: not our child, so its exit status will be unknown. */
  adopted: boolean;
}

export interface ServiceSnapshot {
  name: string;
  status: Status;
  port: number | null;
  script: string;
  interpreter: string;
  restarts: number;
  reason: string | null;
  /** Why the service's output is not being written (disk full, …): its children are held back until it is. */
  logs: { stalled: { reason: string; sinceMs: number } | null };
  /** The file watcher's last error (watch), or null. */
  watchError: string | null;
  instances: InstanceSnapshot[];
  definition: ServiceDefinition;
}

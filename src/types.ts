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
  /** Present when `instances` was {min, max}; `instances` is then the count to start with. */
  autoscale?: AutoscaleSettings;
  // --- traffic (apictl's balancer and routes ports); unset: the defaults in src/balancer/traffic-settings.ts
  /** Reload, stop: wait this long for in-flight requests (SSE, WebSockets too), then close them. */
  drainTimeoutMs?: number;
  /** One line per request in the out log. */
  accessLog?: boolean;
  /** Addresses/CIDRs (or "loopback") of proxies whose X-Forwarded-* headers are believed. */
  trustProxy?: string[];
  headerTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  connectTimeoutMs?: number;
  upstreamTimeoutMs?: number;
  sendTimeoutMs?: number;
  queueTimeoutMs?: number;
  queueLimit?: number;
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
  /** The instance sees the path without its prefix ("/api/users" → "/users"). */
  strip?: boolean;
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
  /** null when apictl does not proxy this service's traffic (one instance, no routes). */
  requests: RequestFigures | null;
}

export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';

/** Requests apictl proxied (balancer, routes): for a service, an instance or a route. */
export interface RequestFigures {
  /** Answered since the daemon started. */
  total: number;
  inflight: number;
  byClass: Record<StatusClass, number>;
  /** Over the last 5-10 s. */
  perSecond: number;
  /** Latency over the last minute, ms; null when nothing was answered in it. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface ServiceRequestFigures extends RequestFigures {
  /** Per routes prefix, for requests that came through a `routes` port. */
  byRoute: Record<string, RequestFigures>;
}

/** A scaling decision that changed something (or could not), as `show` and daemon.log give it. */
export interface ScaleRecord {
  atMs: number;
  /** refused: free memory below the floor; at-max: overloaded with max instances; failed: a new instance did not become ready. */
  action: 'up' | 'down' | 'refused' | 'at-max' | 'failed';
  /** The count it went to (or would have). */
  count: number;
  /** "scaled up to 3: 14 in flight over 2 instances > 0.5 × 10". */
  reason: string;
}

/** `list --json`'s `autoscale` object: a balanced service's count and its last scaling decision. */
export interface AutoscaleSnapshot {
  /** auto: follows the load; pinned: `apictl scale <name> N`; fixed: a plain `instances: N` service. */
  mode: 'auto' | 'pinned' | 'fixed';
  /** Instances it has now (any status), and how many of them are ready. */
  current: number;
  ready: number;
  min: number;
  max: number;
  pinned: number | null;
  /** Requests (and WebSockets) in flight on its instances plus those queued for one. */
  inflight: number;
  /** Scale up above this many in flight per ready instance (loadFactor × maxConnsPerInstance); null when fixed. */
  threshold: number | null;
  lastDecision: ScaleRecord | null;
  /** Starts from zero ready instances with requests waiting: how many, and how long until ready (ms); timeouts: requests answered 503 after coldStartTimeout. */
  coldStarts: { count: number; totalMs: number; lastMs: number | null; timeouts: number };
  /** Steps taken since the daemon started. */
  steps: { up: number; down: number };
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
  requests: ServiceRequestFigures | null;
  /** Balanced services (their instance count can change live); null otherwise. */
  autoscale: AutoscaleSnapshot | null;
}

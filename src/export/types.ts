import type { AutoscaleSettings, RestartPolicy } from '../types.js';

// What the renderers read: one flat, already-resolved shape per service, so
// they never see ServiceDefinition. Only from-definitions.ts builds these.

export const EXPORT_TARGETS = ['compose', 'k8s', 'systemd', 'nginx', 'haproxy'] as const;
export type ExportTarget = (typeof EXPORT_TARGETS)[number];

export type Runtime = 'node' | 'typescript' | 'python' | 'r' | 'other';

export interface ExportHealth {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  failures: number;
}

/** `instances: {min, max}` and the fields that steer it (SPEC §10), defaults filled. */
export type ExportAutoscale = AutoscaleSettings;

/** Traffic settings of apictl's balancer (SPEC §9); undefined = apictl's default (src/balancer/traffic-settings.ts). */
export interface ExportTraffic {
  maxInflight?: number;
  sticky?: boolean;
  accessLog?: boolean;
  /** Addresses/CIDRs (or "loopback") whose X-Forwarded-* headers apictl keeps. */
  trustProxy?: string[];
  headerTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Until the instance's response headers (504 after). */
  upstreamTimeoutMs?: number;
  /** A client that stops reading the response this long is dropped. */
  sendTimeoutMs?: number;
  /** How long a request may wait for a free instance (503 after). */
  queueTimeoutMs?: number;
  /** How many requests may wait; more get 503 at once. */
  queueLimit?: number;
}

export interface ExportService {
  name: string;
  runtime: Runtime;
  /** The program as apictl runs it: "node", "python3", "Rscript", "bash", a path, or "none" (the script itself). */
  interpreter: string;
  interpreterArgs: string[];
  /** Absolute: the service's folder, the image build context. */
  cwd: string;
  /** Absolute, and relative to `cwd` (POSIX) for images. */
  script: string;
  scriptInCwd: string;
  args: string[];
  port: number | null;
  /** A fixed count, or autoscaling bounds. */
  instances: number | ExportAutoscale;
  env: Record<string, string>;
  /** The envFile, absolute and relative to `cwd`, with the values it holds now (ConfigMap/Secret need them). */
  envFile?: { path: string; pathInCwd: string; values: Record<string, string> };
  restart: RestartPolicy;
  maxRestarts: number;
  restartDelayMs: number;
  stopSignal: string;
  killTimeoutMs: number;
  drainTimeoutMs?: number;
  health?: ExportHealth;
  maxMemoryBytes?: number;
  watch?: string[];
  cronRestart?: string;
  logMaxBytes?: number;
  logKeep?: number;
  logMaxLineBytes?: number;
  inheritEnv?: boolean;
  traffic: ExportTraffic;
}

export interface ExportRoute {
  prefix: string;
  service: string;
  /** Remove the prefix before forwarding (apictl forwards the path unchanged otherwise). */
  strip: boolean;
}

export interface ExportRouteTable {
  port: number;
  routes: ExportRoute[];
}

export interface ExportInput {
  services: ExportService[];
  routes: ExportRouteTable[];
  /** Absolute: where the files go (or the working directory when printed); relative paths in them start here. */
  outDir: string;
}

export interface ExportFile {
  path: string;
  content: string;
  /** Holds secret values in clear: written readable by the owner only. */
  secret?: boolean;
}

export interface ExportOutput {
  files: ExportFile[];
  warnings: string[];
}

export type Renderer = (input: ExportInput) => ExportOutput;

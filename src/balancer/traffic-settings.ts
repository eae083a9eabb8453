import type { ServiceDefinition } from '../types.js';
import { createTrustCheck } from './trust-proxy.js';

export const DEFAULT_HEADER_TIMEOUT_MS = 10_000;
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 60_000;
export const DEFAULT_SEND_TIMEOUT_MS = 30_000;
export const DEFAULT_QUEUE_TIMEOUT_MS = 30_000;
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

/** How apictl's proxy treats one service's traffic: the definition's fields with defaults filled in. */
export interface TrafficSettings {
  isTrustedProxy: (address: string) => boolean;
  /** Slowloris: a client must send its request headers within this. */
  headerTimeoutMs: number;
  /** An idle keep-alive client connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Connecting to an instance. */
  connectTimeoutMs: number;
  /** From sending the request to the instance's response headers; 504 after it. */
  upstreamTimeoutMs: number;
  /** A client that stops reading the response for this long is dropped (its instance slot freed). */
  sendTimeoutMs: number;
  /** A request waiting for a free instance (maxInflight) gets 503 after this. */
  queueTimeoutMs: number;
  /** At most this many requests wait; more get 503 at once. null: bounded by queueTimeoutMs only. */
  queueLimit: number | null;
  /** Reload, stop: in-flight requests (SSE, WebSockets too) get this long, then are closed. */
  drainTimeoutMs: number;
  accessLog: boolean;
  maxInflight: number;
  sticky: boolean;
}

export function resolveTrafficSettings(definition: ServiceDefinition): TrafficSettings {
  return {
    isTrustedProxy: createTrustCheck(definition.trustProxy ?? []),
    headerTimeoutMs: definition.headerTimeoutMs ?? DEFAULT_HEADER_TIMEOUT_MS,
    keepAliveTimeoutMs: definition.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    connectTimeoutMs: definition.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    upstreamTimeoutMs: definition.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS,
    sendTimeoutMs: definition.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS,
    queueTimeoutMs: definition.queueTimeoutMs ?? DEFAULT_QUEUE_TIMEOUT_MS,
    queueLimit: definition.queueLimit ?? null,
    drainTimeoutMs: definition.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS,
    accessLog: definition.accessLog ?? false,
    maxInflight: definition.maxInflight ?? Infinity,
    sticky: definition.sticky ?? false,
  };
}

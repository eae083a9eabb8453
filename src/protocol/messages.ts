import type { ErrorPayload } from '../errors.js';

// Bumped whenever a request or response changes shape: a CLI and a daemon from
// different builds must say so rather than misread each other.
export const PROTOCOL_VERSION = 2;

export interface Request {
  id: number;
  method: string;
  protocol: number;
  params?: unknown;
}

export type Response =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: ErrorPayload };

/** Streamed before the final response of a subscribing request (logs -f, monit). */
export interface EventMessage {
  id: number;
  event: string;
  data: unknown;
}

export type ServerMessage = Response | EventMessage;

export function isEvent(message: ServerMessage): message is EventMessage {
  return 'event' in message;
}

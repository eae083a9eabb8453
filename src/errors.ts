// One error type for everything a user can cause: a stable code, a message for
// people, an optional one-line hint, and details (field issues, log lines).
// APICTL_INTERNAL is not the user's doing: a bug, shown with its stack.

export type ErrorCode =
  | 'APICTL_BAD_REQUEST'
  | 'APICTL_CONFLICT'
  | 'APICTL_CORRUPT_FILE'
  | 'APICTL_DAEMON_GONE'
  | 'APICTL_DAEMON_START'
  | 'APICTL_DAEMON_STOPPING'
  | 'APICTL_DAEMON_WEDGED'
  | 'APICTL_EXPORT_WARNINGS'
  | 'APICTL_INTERNAL'
  | 'APICTL_INVALID_CONFIG'
  | 'APICTL_LISTEN'
  | 'APICTL_NO_DAEMON'
  | 'APICTL_NO_DUMP'
  | 'APICTL_NO_FILE'
  | 'APICTL_NO_SUPERVISOR'
  | 'APICTL_NO_SYSTEMD'
  | 'APICTL_NO_TTY'
  | 'APICTL_NOT_A_SERVICES_FILE'
  | 'APICTL_NOT_RUNNING'
  | 'APICTL_NOT_SCALABLE'
  | 'APICTL_PORT_IN_USE'
  | 'APICTL_PROTOCOL_MISMATCH'
  | 'APICTL_SCALE_INCOMPLETE'
  | 'APICTL_SOCKET'
  | 'APICTL_START_FAILED'
  | 'APICTL_SYSTEMCTL'
  | 'APICTL_TIMEOUT'
  | 'APICTL_UNKNOWN_SERVICE'
  | 'APICTL_UNSAFE_HOME'
  | 'APICTL_USAGE';

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  hint?: string;
  details?: ErrorDetails;
}

export interface ErrorDetails {
  issues?: string[];
  lastLines?: string[];
  /** APICTL_INTERNAL: where the bug happened. */
  stack?: string;
  [key: string]: unknown;
}

/** Marks apictl errors so `instanceof` holds across separately bundled copies of this class (one per CLI command file). */
const BRAND = Symbol.for('apictl.error');

export class ApictlError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  readonly [BRAND] = true;
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly details?: ErrorDetails;

  constructor(code: ErrorCode, message: string, options: { hint?: string; details?: ErrorDetails } = {}) {
    super(message);
    this.name = 'ApictlError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message, hint: this.hint, details: this.details };
  }

  static fromPayload(payload: ErrorPayload): ApictlError {
    return new ApictlError(payload.code, payload.message, { hint: payload.hint, details: payload.details });
  }
}

export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof ApictlError) return error.toPayload();
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'APICTL_INTERNAL', message, details: { stack: error instanceof Error ? error.stack : undefined } };
}

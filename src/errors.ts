// One error type for everything a user can cause: a stable code, a message for
// people, an optional one-line hint, and details (field issues, log lines).

export interface ErrorPayload {
  code: string;
  message: string;
  hint?: string;
  details?: ErrorDetails;
}

export interface ErrorDetails {
  issues?: string[];
  lastLines?: string[];
  [key: string]: unknown;
}

/** Marks apictl errors so `instanceof` holds across separately bundled copies of this class (one per CLI command file). */
const BRAND = Symbol.for('apictl.error');

export class ApictlError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  readonly [BRAND] = true;
  readonly code: string;
  readonly hint?: string;
  readonly details?: ErrorDetails;

  constructor(code: string, message: string, options: { hint?: string; details?: ErrorDetails } = {}) {
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

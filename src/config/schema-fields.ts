import { z } from 'zod';
import { Cron } from 'croner';
import { DURATION_PATTERN, DURATION_RULE, SIZE_PATTERN, parseDurationMs, parseSizeBytes } from './units.js';
import { parseTrustEntry } from '../balancer/trust-proxy.js';

// Field builders for the services-file schema. Each field has one message for
// every way it can be wrong (wrong type, out of range, bad pattern), so the
// user reads "must be 1..65535, got 70000" rather than zod's generic wording;
// the formatter echoes the value.

const said = (message: string) => ({ error: message });

export function integerIn(min: number, max: number, message = `must be a whole number from ${min} to ${max}`) {
  return z.int(said(message)).min(min, said(message)).max(max, said(message));
}

export function numberIn(min: number, max: number, message: string) {
  return z.number(said(message)).min(min, said(message)).max(max, said(message));
}

export function boolean(message = 'must be true or false') {
  return z.boolean(said(message));
}

export function nonEmptyString(message: string) {
  return z.string(said(message)).trim().min(1, said(message));
}

export function matching(pattern: RegExp, message: string) {
  return z.string(said(message)).regex(pattern, said(message));
}

/** Milliseconds (number) or "500ms", "5s", "2m", "1h"; `minMs` refuses less. */
export function duration(message: string, minMs = 0) {
  return z
    .union([z.number(said(message)).nonnegative(said(message)), z.string(said(message)).regex(new RegExp(DURATION_PATTERN), said(message))], said(message))
    .transform((value) => parseDurationMs(value)!)
    .refine((ms) => ms >= minMs, said(message))
    .meta({ description: `duration: ${DURATION_RULE}` });
}

/** Bytes (number) or "300M", "1G", "512K". */
export function size(message: string) {
  return z
    .union([z.number(said(message)).positive(said(message)), z.string(said(message)).regex(new RegExp(SIZE_PATTERN), said(message))], said(message))
    .transform((value, ctx) => {
      const bytes = parseSizeBytes(value);
      if (bytes === null) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return bytes;
    })
    .meta({ description: 'size: bytes, or a string like "300M", "1G", "512K"' });
}

/** "a b c" (split on spaces) or ["a", "b c"]. */
export function stringList(message = 'must be a string or an array of strings') {
  return z
    .union([z.string(said(message)), z.array(z.string(said(message)), said(message))], said(message))
    .transform((value) => (typeof value === 'string' ? (value.trim().length > 0 ? value.trim().split(/\s+/) : []) : value));
}

export function cronExpression(message: string) {
  return z.string(said(message)).refine((value) => {
    try {
      new Cron(value, { paused: true }).stop();
      return true;
    } catch {
      return false;
    }
  }, said(message));
}

/** Values of `env`: strings, numbers and booleans, all passed on as strings. */
export function environment(message: string) {
  return z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()], said(message)), said(message))
    .transform((env) => Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value)])));
}

/** One address or CIDR ("10.0.0.0/8", "::1", "loopback"), or a list of them. */
export function trustList(message: string) {
  return z
    .union([z.string(said(message)), z.array(z.string(said(message)), said(message))], said(message))
    .transform((value) => (typeof value === 'string' ? [value] : value))
    .refine((list) => list.every((entry) => parseTrustEntry(entry) !== null), said(message));
}

// The one duration and size rule, for services-file fields and CLI flags alike:
// a bare number (or a string of digits) is milliseconds / bytes; a string may
// take a unit: durations `ms s m h`, sizes `K M G` (1024-based, optional `B`).
// Both return null for anything else so the caller can name the field.

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS_BYTES: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** For the JSON Schema and the help: what a duration string looks like. */
export const DURATION_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h)?\\s*$';
export const SIZE_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*([kKmMgG]?)([iI]?[bB])?\\s*$';
export const DURATION_RULE = 'a bare number is milliseconds; or 500ms, 5s, 2m, 1h';

export function parseDurationMs(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : null;
  if (typeof value !== 'string') return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (!match) return null;
  const unit = (match[2] ?? 'ms').toLowerCase();
  return Math.round(Number(match[1]) * (DURATION_UNITS_MS[unit] ?? 1));
}

export function parseSizeBytes(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? Math.round(value) : null;
  if (typeof value !== 'string') return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*$/i.exec(value);
  if (!match) return null;
  const bytes = Math.round(Number(match[1]) * (SIZE_UNITS_BYTES[(match[2] ?? '').toLowerCase()] ?? 1));
  return bytes > 0 ? bytes : null;
}

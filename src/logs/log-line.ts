export type LogStream = 'out' | 'err';

export interface LogLine {
  /** ms since epoch */
  time: number;
  service: string;
  instance: number;
  stream: LogStream;
  line: string;
  /** A piece of a line longer than logMaxLine, continuing the line before it. */
  continued?: boolean;
}

/**
 * What precedes each stored line: `2026-11-21T20:39:00.123Z ` or, with several
 * instances, `… [1] `; without a time (logDate: false) only the instance tag.
 * A piece that continues a line cut at logMaxLine has `+` right after the time:
 * `2026-11-21T20:39:00.123Z+ `.
 */
export function storedLinePrefix(isoTime: string | null, instance: number | null, continued = false): string {
  const head = `${isoTime ?? ''}${continued ? '+' : ''}`;
  const tag = instance === null ? '' : `[${instance}] `;
  return head === '' ? tag : `${head} ${tag}`;
}

const STORED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)(\+)? (?:\[(\d+)\] )?(.*)$/s;

/** Parses one line of a service log file back into its parts (for `logs` history). */
export function parseStoredLine(text: string, service: string, stream: LogStream): LogLine {
  const match = STORED.exec(text);
  if (!match) return { time: 0, service, instance: 0, stream, line: text };
  const line: LogLine = { time: Date.parse(match[1]!), service, instance: match[3] ? Number(match[3]) : 0, stream, line: match[4]! };
  if (match[2]) line.continued = true;
  return line;
}

export type LogStream = 'out' | 'err';

export interface LogLine {
  /** ms since epoch */
  time: number;
  service: string;
  instance: number;
  stream: LogStream;
  line: string;
}

/**
 * What precedes each stored line: `2026-11-21T20:39:00.123Z ` or, with several
 * instances, `... [1] `; without a time (logDate: false) only the instance tag.
 */
export function storedLinePrefix(isoTime: string | null, instance: number | null): string {
  const time = isoTime === null ? '' : `${isoTime} `;
  return instance === null ? time : `${time}[${instance}] `;
}

const STORED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (?:\[(\d+)\] )?(.*)$/;

/** Parses one line of a service log file back into its parts (for `logs` history). */
export function parseStoredLine(text: string, service: string, stream: LogStream): LogLine {
  const match = STORED.exec(text);
  if (!match) return { time: 0, service, instance: 0, stream, line: text };
  return { time: Date.parse(match[1]!), service, instance: match[2] ? Number(match[2]) : 0, stream, line: match[3]! };
}

/** One answered request, as the access log records it. */
export interface AccessRecord {
  method: string;
  path: string;
  status: number;
  durationMs: number;
  /** -1 when no instance answered (503 from the proxy itself). */
  instance: number;
  requestId: string;
}

/** Pure: `GET /users?id=1 200 4.31ms instance=0 id=7f3c…` (499: the client went away first). */
export function formatAccessLine(record: AccessRecord): string {
  const instance = record.instance < 0 ? '-' : String(record.instance);
  return `${record.method} ${record.path} ${record.status} ${record.durationMs.toFixed(2)}ms instance=${instance} id=${record.requestId}\n`;
}

/**
 * Collects access lines per instance and hands them to the log sink in one
 * block per tick: one write for a burst of requests, not one per request.
 */
export class AccessLog {
  private readonly pending = new Map<number, string>();
  private scheduled = false;

  constructor(private readonly write: (instance: number, lines: string) => void) {}

  add(record: AccessRecord): void {
    const key = Math.max(0, record.instance);
    this.pending.set(key, (this.pending.get(key) ?? '') + formatAccessLine(record));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    for (const [instance, lines] of this.pending) this.write(instance, lines);
    this.pending.clear();
  }
}

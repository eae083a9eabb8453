import type { Readable } from 'node:stream';
import { LineSplitter, lastLinesOf, prefixBlock, splitBlock } from './line-splitter.js';
import { storedLinePrefix, type LogLine, type LogStream } from './log-line.js';
import { RecentBlocks } from './recent-blocks.js';
import { RotatingFile, type RotationOptions } from './rotating-file.js';

export const RECENT_LINES_KEPT = 200;

export type LogListener = (line: LogLine) => void;

/**
 * Everything one service logs: each instance's stdout/stderr is split into
 * lines, stamped, appended to `<name>.out.log` / `<name>.err.log`, kept in a
 * ring for failure messages and dashboards, and handed to live listeners.
 */
export class ServiceLogSink {
  private readonly files: Record<LogStream, RotatingFile>;
  /** Recent whole blocks as they came: split into lines only when someone asks (rarely). */
  private readonly recent = new RecentBlocks(256 * 1024, RECENT_LINES_KEPT);
  private readonly paused: Record<LogStream, Set<Readable>> = { out: new Set(), err: new Set() };

  constructor(
    readonly service: string,
    paths: Record<LogStream, string>,
    rotation: RotationOptions,
    private readonly emit: LogListener,
    private readonly hasListeners: () => boolean,
    private readonly multiInstance: boolean,
    private readonly stamp = true,
  ) {
    this.files = { out: new RotatingFile(paths.out, rotation), err: new RotatingFile(paths.err, rotation) };
    for (const stream of ['out', 'err'] as const) {
      this.files[stream].on('drain', () => {
        for (const source of this.paused[stream]) source.resume();
        this.paused[stream].clear();
      });
      this.files[stream].on('error', () => undefined);
    }
  }

  /** Reads `source` to its end; resolves once its last line is queued. */
  attach(instance: number, stream: LogStream, source: Readable): Promise<void> {
    const splitter = new LineSplitter();
    return new Promise((resolve) => {
      source.on('data', (chunk: Buffer) => {
        const block = splitter.push(chunk);
        if (block !== null) this.accept(instance, stream, block, source);
      });
      const finish = () => {
        const last = splitter.end();
        if (last !== null) this.accept(instance, stream, last, null);
        this.paused[stream].delete(source);
        resolve();
      };
      source.once('end', finish);
      source.once('error', finish);
    });
  }

  /** Writes a line of apictl's own (e.g. "restarting in 200ms") to the service's err log. */
  note(instance: number, line: string): void {
    this.accept(instance, 'err', Buffer.from(`[apictl] ${line}\n`), null);
  }

  /** Whole lines (each ending in "\n") that apictl writes for the service, e.g. its access log. */
  write(instance: number, stream: LogStream, lines: string): void {
    this.accept(instance, stream, Buffer.from(lines), null);
  }

  recentLines(filter?: { instance?: number; limit?: number }): LogLine[] {
    const limit = Math.min(filter?.limit ?? RECENT_LINES_KEPT, RECENT_LINES_KEPT);
    const lines: LogLine[] = [];
    const blocks = this.recent.toArray();
    for (let index = blocks.length - 1; index >= 0 && lines.length < limit; index--) {
      const { time, instance, stream, block } = blocks[index]!;
      if (filter?.instance !== undefined && instance !== filter.instance) continue;
      const newest = lastLinesOf(block, limit - lines.length);
      for (let line = newest.length - 1; line >= 0; line--) lines.push({ time, service: this.service, instance, stream, line: newest[line]! });
    }
    return lines.reverse();
  }

  async flush(): Promise<void> {
    await Promise.all([this.files.out.truncate(), this.files.err.truncate()]);
  }

  async close(): Promise<void> {
    await Promise.all([this.files.out.close(), this.files.err.close()]);
  }

  /** `block`: whole lines, each ending in "\n". */
  private accept(instance: number, stream: LogStream, block: Buffer, source: Readable | null): void {
    const now = Date.now();
    const iso = new Date(now).toISOString();
    const prefix = storedLinePrefix(this.stamp ? iso : null, this.multiInstance ? instance : null);
    this.recent.push({ time: now, instance, stream, block });
    if (this.hasListeners()) {
      for (const line of splitBlock(block)) this.emit({ time: now, service: this.service, instance, stream, line });
    }
    if (!this.files[stream].write(prefixBlock(block, prefix)) && source) {
      source.pause();
      this.paused[stream].add(source);
    }
  }
}

import { rmSync } from 'node:fs';
import { CarryFile, wasProcessed, type Carried } from './carry.js';
import { LineCutter, type Segment } from './line-cutter.js';
import { LogFile, type RotationOptions, type Stall } from './log-file.js';
import type { LogLine, LogStream } from './log-line.js';
import { OutputPipe } from './output-pipe.js';
import { splitBlock, stampSegments } from './stamp.js';
import { lastLineInstance } from './tail.js';

export type LogListener = (line: LogLine) => void;

export interface SinkOptions {
  multiInstance: boolean;
  /** false: store lines without the timestamp prefix (logDate: false). */
  stamp: boolean;
  maxLineBytes: number;
  emit: LogListener;
  hasListeners: () => boolean;
  /** The service's logs stalled (disk full, …) or, with null, resumed. */
  onStall: (stall: Stall | null) => void;
}

/** One stream of one instance: its pipe, its unterminated tail, the tail's carry file. */
export interface LogSource {
  readonly instance: number;
  readonly stream: LogStream;
  readonly fifoPath: string;
}

interface Source extends LogSource {
  cutter: LineCutter;
  carry: CarryFile;
  pipe: OutputPipe | null;
  /** Set once the writer is gone: read the rest, then let go. */
  finishing: (() => void) | null;
}

/**
 * Everything one service logs: each instance's stdout/stderr FIFO is read,
 * cut into lines, stamped and appended to `<name>.out.log` / `<name>.err.log`
 * in the same tick, and handed to live listeners. When a file stalls, every
 * pipe of that stream stops being read until it resumes.
 */
export class ServiceLogSink {
  readonly files: Record<LogStream, LogFile>;
  private readonly sources = new Set<Source>();

  constructor(readonly service: string, paths: Record<LogStream, string>, rotation: RotationOptions, private readonly options: SinkOptions) {
    this.files = { out: new LogFile(paths.out, rotation), err: new LogFile(paths.err, rotation) };
    for (const stream of ['out', 'err'] as const) {
      this.files[stream].on('stalled', () => this.options.onStall(this.stall()));
      this.files[stream].on('resumed', () => this.resumeStream(stream));
    }
  }

  /** Why the logs are not being written, or null. */
  stall(): Stall | null {
    return this.files.out.stall ?? this.files.err.stall;
  }

  /**
   * Reads one stream of one instance from its FIFO (`fd`, our read end),
   * taking up what a previous daemon left in its carry file.
   */
  attach(instance: number, stream: LogStream, fifoPath: string, fd: number, carryPath: string): LogSource {
    const source: Source = { instance, stream, fifoPath, cutter: new LineCutter(this.options.maxLineBytes), carry: new CarryFile(carryPath), pipe: null, finishing: null };
    this.resume(source, CarryFile.load(carryPath));
    this.sources.add(source);
    source.pipe = new OutputPipe(fd, (buffer, length) => source.carry.append(buffer, length), (chunk) => this.accept(source, chunk), () => source.finishing?.());
    if (this.files[stream].stall) source.pipe.pause();
    return source;
  }

  /**
   * The writer exited: reads what is left in the pipe, writes a last
   * unterminated line, and lets go of the pipe and its files. Resolves at once
   * when the rest is written; while the disk refuses it, later (in the background).
   */
  finish(handle: LogSource): Promise<void> {
    const source = handle as Source;
    if (!this.sources.has(source)) return Promise.resolve();
    return new Promise((resolve) => {
      source.finishing = () => {
        if (!source.pipe?.drainNow()) return; // stalled: again on resume
        const last = source.cutter.end();
        if (last) this.writeSegments(source, [last]);
        this.release(source, true);
        resolve();
      };
      source.finishing();
    });
  }

  /** Stops reading without finishing (a handover): pipe, FIFO and carry stay for the next daemon. */
  detach(handle: LogSource): void {
    this.release(handle as Source, false);
  }

  /** Writes a line of apictl's own (e.g. "restarting in 200ms") to the service's err log. */
  note(instance: number, line: string): void {
    this.writeSegments({ instance, stream: 'err' }, [{ data: Buffer.from(`[apictl] ${line}\n`), continued: false }]);
  }

  /** Whole lines (each ending in "\n") that apictl writes for the service, e.g. its access log. */
  write(instance: number, stream: LogStream, lines: string): void {
    this.writeSegments({ instance, stream }, [{ data: Buffer.from(lines), continued: false }]);
  }

  flush(): void {
    this.files.out.truncate();
    this.files.err.truncate();
    for (const source of this.sources) this.commit(source);
  }

  /** Checks the files still exist where they should (a deleted folder is recreated). */
  checkPaths(): void {
    this.files.out.checkPath();
    this.files.err.checkPath();
  }

  close(): void {
    for (const source of [...this.sources]) this.release(source, false);
    this.files.out.close();
    this.files.err.close();
  }

  /**
   * Takes up where a previous daemon left this stream (its carry file): its
   * unterminated tail, and a chunk it had read — written now unless the log
   * shows it was written already. Then the carry is committed afresh.
   */
  private resume(source: Source, carried: Carried | null): void {
    const file = this.files[source.stream];
    if (carried) {
      source.cutter.restore(carried.tail, carried.continued);
      if (carried.pending.length > 0) {
        const ours = this.options.multiInstance ? source.instance : 0;
        const segments = source.cutter.push(carried.pending);
        if (!wasProcessed(carried, file.position(), () => lastLineInstance(file.path) === ours) && segments.length > 0) this.writeSegments(source, segments);
      }
    }
    this.commit(source);
  }

  /** A chunk the pipe has already kept in the stream's journal (carry): a daemon killed while stamping it loses nothing. */
  private accept(source: Source, chunk: Buffer): boolean {
    const segments = source.cutter.push(chunk);
    const written = segments.length === 0 || this.writeSegments(source, segments);
    this.commit(source);
    return written && this.files[source.stream].stall === null;
  }

  private writeSegments(source: Pick<Source, 'instance' | 'stream'>, segments: Segment[]): boolean {
    const now = Date.now();
    const iso = this.options.stamp ? new Date(now).toISOString() : null;
    const ok = this.files[source.stream].write(stampSegments(segments, iso, this.options.multiInstance ? source.instance : null));
    if (this.options.hasListeners()) {
      for (const segment of segments) {
        splitBlock(segment.data).forEach((line, index) => {
          const entry: LogLine = { time: now, service: this.service, instance: source.instance, stream: source.stream, line };
          if (index === 0 && segment.continued) entry.continued = true;
          this.options.emit(entry);
        });
      }
    }
    return ok;
  }

  private commit(source: Source): void {
    const { data, continued } = source.cutter.pending;
    source.carry.commit(data, continued, this.files[source.stream].position());
  }

  private resumeStream(stream: LogStream): void {
    for (const source of this.sources) {
      if (source.stream !== stream) continue;
      if (source.finishing) source.finishing();
      else source.pipe?.resume();
    }
    this.options.onStall(this.stall());
  }

  private release(source: Source, done: boolean): void {
    if (!this.sources.delete(source)) return;
    source.pipe?.close();
    if (done) {
      source.carry.remove();
      rmSync(source.fifoPath, { force: true });
    } else {
      source.carry.close();
    }
  }
}

import { rmSync } from 'node:fs';
import { CarryFile } from './carry.js';
import { LineCutter, type Segment } from './line-cutter.js';
import { LogFile, type RotationOptions, type Stall } from './log-file.js';
import type { LogLine, LogStream } from './log-line.js';
import { OutputPipe } from './output-pipe.js';
import { planResume, type ResumePlan } from './resume-plan.js';
import { splitBlock, stampSegments } from './stamp.js';

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
  /** Something for daemon.log (a damaged journal). */
  warn?: (message: string, details: Record<string, unknown>) => void;
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
  /** Its last chunk is not in the log yet (the disk refused it): its carry keeps it uncommitted. */
  refused: boolean;
  /** Its journal has no room for another chunk (a full disk): not read until it has. */
  waitingRoom: boolean;
  /** Set once the writer is gone: read the rest, then let go. */
  finishing: (() => void) | null;
}

/** Where a stream's journal stood right after the chunk a piece written to the log came from (its commit, once the piece is in). */
interface Mark {
  end: number;
  tailLength: number;
  continued: boolean;
}

/** A timestamp of the width every stamp has: the stamped length of lines does not depend on when. */
const STAMP_WIDTH = '0000-00-00T00:00:00.000Z';
const ROOM_RETRY_FIRST_MS = 100;
const ROOM_RETRY_MAX_MS = 5_000;

/**
 * Everything one service logs: each instance's stdout/stderr FIFO is read,
 * cut into lines, stamped and appended to `<name>.out.log` / `<name>.err.log`
 * in the same tick, and handed to live listeners. Every write to a file is
 * followed by a commit of the carries of that file's streams, so each carry
 * always knows where its file stood. When a file stalls, every pipe of that
 * stream stops being read until it resumes; a pipe whose journal has no room
 * for another chunk is not read until it has (both: a full disk slows the
 * children, and no chunk ever lives only in the daemon's memory).
 */
export class ServiceLogSink {
  readonly files: Record<LogStream, LogFile>;
  private readonly sources = new Set<Source>();
  /** Resume plans worked out before anything was written (a new daemon taking over several instances). */
  private readonly planned = new Map<string, ResumePlan>();
  private roomTimer: NodeJS.Timeout | null = null;
  private roomRetryMs = ROOM_RETRY_FIRST_MS;

  constructor(readonly service: string, paths: Record<LogStream, string>, rotation: RotationOptions, private readonly options: SinkOptions) {
    this.files = { out: new LogFile(paths.out, rotation), err: new LogFile(paths.err, rotation) };
    for (const stream of ['out', 'err'] as const) {
      this.files[stream].on('stalled', () => this.options.onStall(this.stall()));
      this.files[stream].on('resumed', () => this.resumeStream(stream));
      // A kept piece just went in: every carry of the file learns where it stands (a refused one keeps its chunks).
      this.files[stream].on('flushed', (owner: Source | undefined, mark: Mark | undefined, more: boolean) => {
        if (owner && this.sources.has(owner)) {
          // Later pieces of it still wait: its journal counts as written only what this piece held.
          if (!more) owner.refused = false;
          else if (mark) owner.carry.commitTo(mark.end, mark.tailLength, mark.continued, this.files[stream].position());
        }
        this.commitStream(stream);
      });
    }
  }

  /** Why the logs are not being written (or their children not read), or null. */
  stall(): Stall | null {
    const stalled = this.files.out.stall ?? this.files.err.stall;
    if (stalled) return stalled;
    for (const source of this.sources) if (source.waitingRoom && source.carry.problem) return source.carry.problem;
    return null;
  }

  /**
   * Works out, before any of them writes, how streams a previous daemon was
   * reading resume (their carry files against the logs as they are now).
   */
  planResumes(streams: Array<{ instance: number; stream: LogStream; carryPath: string }>): void {
    for (const { instance, stream, carryPath } of streams) this.planned.set(carryPath, this.plan(instance, stream, carryPath));
  }

  /**
   * Reads one stream of one instance from its FIFO (`fd`, our read end),
   * taking up what a previous daemon left in its carry file.
   */
  attach(instance: number, stream: LogStream, fifoPath: string, fd: number, carryPath: string): LogSource {
    const source: Source = { instance, stream, fifoPath, cutter: new LineCutter(this.options.maxLineBytes), carry: new CarryFile(carryPath), pipe: null, refused: false, waitingRoom: false, finishing: null };
    // The previous daemon's journal goes on in place (it has room on disk): a full disk cannot cost it.
    source.carry.adopt();
    this.sources.add(source);
    this.resume(source, this.planned.get(carryPath) ?? null);
    this.planned.delete(carryPath);
    source.pipe = new OutputPipe(fd, (buffer, length) => void source.carry.append(buffer, length), (chunk) => this.accept(source, chunk), () => source.finishing?.());
    if (this.files[stream].stall || !this.hasRoom(source)) source.pipe.pause();
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
        // Stalled, or no room in the journal: nothing is read (what the pipe holds stays there); again on resume.
        if (!this.canRead(source) || source.refused) return;
        if (!source.pipe?.drainNow(() => this.canRead(source) && this.hasRoom(source))) return;
        const last = source.cutter.end();
        // Refused: the journal still has it (as the tail); the journal and pipe go only once it is in the log.
        if (last && !this.writeSegments(source, [last])) {
          source.refused = true;
          return;
        }
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
    for (const stream of ['out', 'err'] as const) {
      this.files[stream].truncate();
      this.commitStream(stream);
    }
  }

  /** Checks the files still exist where they should (a deleted folder is recreated, recent lines copied). */
  checkPaths(): void {
    // Only a file that moved on has anything to commit: every write commits as it goes. (Committing
    // each second regardless cost a journal header write per stream and garbage V8 promoted.)
    for (const stream of ['out', 'err'] as const) if (this.files[stream].checkPath()) this.commitStream(stream);
  }

  /** `handover`: the daemon is being replaced; pipes and carries stay for the next one. Otherwise they go. */
  close(handover = false): void {
    if (this.roomTimer) clearTimeout(this.roomTimer);
    this.roomTimer = null;
    for (const source of [...this.sources]) this.release(source, !handover);
    this.files.out.close();
    this.files.err.close();
  }

  private plan(instance: number, stream: LogStream, carryPath: string): ResumePlan {
    const stampedLength = (segments: Segment[]) => stampSegments(segments, this.options.stamp ? STAMP_WIDTH : null, this.tagOf(instance)).length;
    return planResume(CarryFile.load(carryPath), this.files[stream].position(), this.options.maxLineBytes, stampedLength);
  }

  private resume(source: Source, planned: ResumePlan | null): void {
    const file = this.files[source.stream];
    const plan = planned ?? this.plan(source.instance, source.stream, source.carry.path);
    if (plan.damaged) {
      const what = `the journal of ${source.stream === 'out' ? 'stdout' : 'stderr'} was damaged: part of a line may be missing (the next line is marked as a continuation)`;
      this.options.warn?.(`log journal damaged: ${plan.damaged}`, { service: this.service, instance: source.instance, stream: source.stream });
      this.note(source.instance, what);
    }
    source.cutter.restore(plan.tail, plan.continued);
    if (plan.truncateTo !== null) file.truncateTo(plan.truncateTo);
    if (plan.write.length === 0) this.commitStream(source.stream);
    else if (!this.writeSegments(source, plan.write)) source.refused = true; // its carry keeps the chunk until it is in
  }

  /** A chunk the pipe has already kept in the stream's journal (carry): a daemon killed while stamping it loses nothing. */
  private accept(source: Source, chunk: Buffer): boolean {
    const segments = source.cutter.push(chunk);
    if (segments.length === 0) {
      // A refused chunk is not committed before it is in the log: this one stays pending after it.
      if (!source.refused) this.commitSource(source);
    } else if (!this.writeSegments(source, segments)) {
      source.refused = true; // kept in the log file's queue and, uncommitted, in its carry
      return false;
    }
    return this.hasRoom(source);
  }

  /** Whether the journal can take the next chunk; if not, it is retried with back-off and the pipe waits. */
  private hasRoom(source: Source): boolean {
    if (source.carry.ready) return true;
    if (!source.waitingRoom) {
      source.waitingRoom = true;
      this.options.onStall(this.stall());
    }
    this.scheduleRoom();
    return false;
  }

  private scheduleRoom(): void {
    if (this.roomTimer) return;
    this.roomTimer = setTimeout(() => {
      this.roomTimer = null;
      let waiting = false;
      for (const source of [...this.sources]) {
        if (!source.waitingRoom) continue;
        // A refused chunk is not committed before it is in the log: only room is made for it.
        const ready = source.refused ? source.carry.makeRoom() : (this.commitSource(source), source.carry.ready);
        if (!ready) {
          waiting = true;
          continue;
        }
        source.waitingRoom = false;
        this.resumeSource(source);
      }
      if (waiting) {
        this.roomRetryMs = Math.min(ROOM_RETRY_MAX_MS, this.roomRetryMs * 2);
        this.scheduleRoom();
      } else this.roomRetryMs = ROOM_RETRY_FIRST_MS;
      this.options.onStall(this.stall());
    }, this.roomRetryMs);
    this.roomTimer.unref();
  }

  private canRead(source: Source): boolean {
    return !this.files[source.stream].stall && !source.waitingRoom;
  }

  private resumeSource(source: Source): void {
    if (!this.canRead(source)) return;
    if (source.finishing) source.finishing();
    else source.pipe?.resume();
  }

  private writeSegments(source: Pick<Source, 'instance' | 'stream'> & Partial<Source>, segments: Segment[]): boolean {
    const now = Date.now();
    const iso = this.options.stamp ? new Date(now).toISOString() : null;
    const owner = source.carry ? (source as Source) : undefined;
    const end = owner?.carry.dataEnd ?? null;
    const mark: Mark | undefined = owner && end !== null ? { end, tailLength: owner.cutter.pendingLength, continued: owner.cutter.pendingContinued } : undefined;
    const ok = this.files[source.stream].write(stampSegments(segments, iso, this.tagOf(source.instance)), owner, mark);
    if (ok) this.commitStream(source.stream);
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

  /**
   * After a write to a file: every carry of its streams learns where it
   * stands now. One whose chunk the disk refused keeps that chunk, and learns
   * only that the file has moved on without it.
   */
  private commitStream(stream: LogStream): void {
    for (const source of this.sources) {
      if (source.stream !== stream) continue;
      if (source.refused) source.carry.rebase(this.files[stream].position());
      else this.commitSource(source);
    }
  }

  private commitSource(source: Source): void {
    source.carry.commit(source.cutter.pendingLength, source.cutter.pendingContinued, this.files[source.stream].position(), () => source.cutter.pending.data);
  }

  private tagOf(instance: number): number | null {
    return this.options.multiInstance ? instance : null;
  }

  private resumeStream(stream: LogStream): void {
    for (const source of this.sources) if (source.stream === stream) source.refused = false;
    this.commitStream(stream);
    for (const source of [...this.sources]) if (source.stream === stream && this.hasRoom(source)) this.resumeSource(source);
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

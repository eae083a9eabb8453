import { readSync } from 'node:fs';
import { Socket } from 'node:net';

/**
 * One read buffer for every pipe of the daemon: a chunk is stamped and written
 * to disk inside the read callback, so nothing outlives the call (what is kept,
 * a line's unterminated tail, is copied), and 200 pipes cost 64 KB, not 12 MB.
 */
const SHARED = Buffer.allocUnsafe(64 * 1024);

export type ChunkHandler = (chunk: Buffer) => boolean;
/** Keeps the bytes just read (the stream's journal) before anything else runs: no allocation, no parsing first. */
export type Journal = (buffer: Buffer, length: number) => void;

/**
 * After a read smaller than this, reading may pause so the next lines gather
 * in the pipe — in the kernel, where a daemon killed meanwhile loses nothing —
 * and arrive as one chunk: a service that writes line by line costs a few
 * reads, not one per line.
 */
const BATCH_BELOW_BYTES = 16 * 1024;
/**
 * How much a pause lets gather: a quarter of the pipe (64 KB), so the pipe is
 * never full when the timer fires late: a writer that meets a full pipe
 * blocks. A fixed 5 ms pause let a 50 MB/s line-by-line writer fill the pipe
 * in about 1 ms and wait out the rest (it ran at 0.55× of the same child
 * piped into `cat`, the daemon idle three quarters of the time).
 */
const BATCH_TARGET_BYTES = 16 * 1024;
/** The longest pause (a slow writer's lines wait at most this long in the pipe). */
const BATCH_WAIT_MAX_MS = 5;
/** Shorter pauses than this are not worth a timer: reading simply goes on. */
const BATCH_WAIT_MIN_MS = 1;
/**
 * The writer's rate is judged over the last one to two windows of this
 * length, not from one read: right after a full pipe the writer has only
 * just been woken, and its first small write says nothing of its speed.
 */
const RATE_WINDOW_MS = 20;

/**
 * Pure: how long to stop reading after a read of `length` bytes, when
 * `recentBytes` came in over the last `recentMs` — the time the writer needs,
 * at that rate, to put BATCH_TARGET_BYTES in the pipe; 0: read on.
 */
export function batchWaitMs(length: number, recentBytes: number, recentMs: number): number {
  if (length >= BATCH_BELOW_BYTES) return 0;
  const waitMs = recentBytes > 0 ? (BATCH_TARGET_BYTES * recentMs) / recentBytes : BATCH_WAIT_MAX_MS;
  if (waitMs < BATCH_WAIT_MIN_MS) return 0;
  return Math.min(BATCH_WAIT_MAX_MS, Math.floor(waitMs));
}

/**
 * The daemon's read end of one child stream (a FIFO). Chunks go to `onChunk`
 * as they arrive; when it returns false (the disk refuses them) reading stops
 * and the bytes wait in the pipe — the child is slowed, never dropped — until
 * `resume()`. The pipe outlives the daemon: the next one reopens it.
 */
export class OutputPipe {
  private readonly socket: Socket;
  private paused = false;
  private closed = false;
  /** End of file seen: no writer is left, and nothing more can be read. */
  private ended = false;
  private batchTimer: NodeJS.Timeout | null = null;
  /** Bytes read in the current and the previous rate window, and when each began (performance.now()). */
  private windowAt = 0;
  private windowBytes = 0;
  private previousWindowAt = 0;
  private previousWindowBytes = 0;

  constructor(private readonly fd: number, private readonly journal: Journal, private readonly onChunk: ChunkHandler, onEnd: () => void) {
    this.socket = new Socket({
      fd,
      readable: true,
      writable: false,
      // At end of file Node would destroy the socket and close `fd` on its own, and a later
      // drainNow() would read whatever file got that descriptor number next.
      allowHalfOpen: true,
      onread: {
        buffer: SHARED,
        callback: (length: number) => {
          this.journal(SHARED, length);
          return this.deliver(SHARED.subarray(0, length));
        },
      },
    } as ConstructorParameters<typeof Socket>[0]);
    // End of file: no writer is left (the child and whatever held its stdout are gone).
    this.socket.once('end', () => {
      this.ended = true;
      onEnd();
    });
    this.socket.on('error', () => undefined);
    this.socket.resume();
  }

  pause(): void {
    if (this.paused || this.closed) return;
    this.paused = true;
    this.socket.pause();
  }

  resume(): void {
    if (!this.paused || this.closed) return;
    this.paused = false;
    if (!this.batchTimer) this.socket.resume();
  }

  /**
   * Reads what is in the pipe right now, synchronously (its writer has
   * exited: this is the whole rest), as long as `canRead` says the next
   * chunk can be kept. False when it cannot, or the handler refused a chunk
   * (disk full): the rest stays in the pipe; call again once it can.
   */
  drainNow(canRead: () => boolean): boolean {
    while (!this.closed && !this.ended) {
      if (!canRead()) {
        this.pause();
        return false;
      }
      let length: number;
      try {
        length = readSync(this.fd, SHARED, 0, SHARED.length, null);
      } catch {
        return true; // EAGAIN: empty for now
      }
      if (length === 0) {
        this.ended = true;
        return true;
      }
      this.journal(SHARED, length);
      if (!this.onChunk(SHARED.subarray(0, length))) {
        this.pause();
        return false;
      }
    }
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    this.socket.destroy();
  }

  private deliver(chunk: Buffer): boolean {
    if (!this.onChunk(chunk)) {
      this.pause();
      return false;
    }
    const now = performance.now();
    if (now - this.windowAt >= RATE_WINDOW_MS) {
      this.previousWindowAt = this.windowAt;
      this.previousWindowBytes = this.windowBytes;
      this.windowAt = now;
      this.windowBytes = 0;
    }
    this.windowBytes += chunk.length;
    const waitMs = batchWaitMs(chunk.length, this.previousWindowBytes + this.windowBytes, now - this.previousWindowAt);
    if (waitMs === 0 || this.batchTimer || this.closed) return true;
    this.batchTimer = setTimeout(() => {
      this.batchTimer = null;
      if (!this.paused && !this.closed) this.socket.resume();
    }, waitMs);
    return false; // stops reading until the timer
  }
}

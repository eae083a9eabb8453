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
 * After a read smaller than this, reading pauses for BATCH_WAIT_MS so the
 * next lines gather in the pipe — in the kernel, where a daemon killed
 * meanwhile loses nothing — and arrive as one chunk: a service that writes
 * line by line costs a few reads, not one per line. (A pipe holds 64 KB: at
 * 5 ms, only a writer faster than 12 MB/s in small writes notices.)
 */
const BATCH_BELOW_BYTES = 16 * 1024;
const BATCH_WAIT_MS = 5;

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
   * exited: this is the whole rest). False when the handler refused a chunk
   * (disk full); call again once it takes chunks again.
   */
  drainNow(): boolean {
    while (!this.closed && !this.ended) {
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
    if (chunk.length >= BATCH_BELOW_BYTES || this.batchTimer || this.closed) return true;
    this.batchTimer = setTimeout(() => {
      this.batchTimer = null;
      if (!this.paused && !this.closed) this.socket.resume();
    }, BATCH_WAIT_MS);
    return false; // stops reading until the timer
  }
}

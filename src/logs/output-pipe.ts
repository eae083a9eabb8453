import { readSync } from 'node:fs';
import { Socket } from 'node:net';

/**
 * One read buffer for every pipe of the daemon: a chunk is stamped and written
 * to disk inside the read callback, so nothing outlives the call (what is kept,
 * a line's unterminated tail, is copied), and 200 pipes cost 64 KB, not 12 MB.
 */
const SHARED = Buffer.allocUnsafe(64 * 1024);

export type ChunkHandler = (chunk: Buffer) => boolean;

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

  constructor(private readonly fd: number, private readonly onChunk: ChunkHandler, onEnd: () => void) {
    this.socket = new Socket({
      fd,
      readable: true,
      writable: false,
      onread: { buffer: SHARED, callback: (length: number) => this.deliver(SHARED.subarray(0, length)) },
    } as ConstructorParameters<typeof Socket>[0]);
    // End of file: no writer is left (the child and whatever held its stdout are gone).
    this.socket.once('end', onEnd);
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
    this.socket.resume();
  }

  /**
   * Reads what is in the pipe right now, synchronously (its writer has
   * exited: this is the whole rest). False when the handler refused a chunk
   * (disk full); call again once it takes chunks again.
   */
  drainNow(): boolean {
    while (!this.closed) {
      let length: number;
      try {
        length = readSync(this.fd, SHARED, 0, SHARED.length, null);
      } catch {
        return true; // EAGAIN: empty for now
      }
      if (length === 0) return true;
      if (!this.deliver(SHARED.subarray(0, length))) return false;
    }
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
  }

  private deliver(chunk: Buffer): boolean {
    if (this.onChunk(chunk)) return true;
    this.pause();
    return false;
  }
}

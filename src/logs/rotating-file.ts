import { EventEmitter } from 'node:events';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_LOG_KEEP = 5;
const HIGH_WATER_BYTES = 1024 * 1024;

export interface RotationOptions {
  maxBytes: number;
  keep: number;
}

/**
 * An append-only log file that rotates itself by size. Writes are queued and
 * written in batches; rotation happens only between batches, and every batch
 * holds whole lines, so no line is torn, lost or written twice across files.
 * `write` returns false above the high-water mark: the caller pauses its
 * sources until 'drain' (the child is slowed, never dropped).
 */
export class RotatingFile extends EventEmitter {
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private size = 0;
  private handle: FileHandle | null = null;
  private writing = false;
  private needsDrain = false;
  private truncateRequested = false;
  private closed = false;
  private idle: Array<() => void> = [];

  constructor(readonly path: string, private readonly options: RotationOptions) {
    super();
  }

  write(data: Buffer): boolean {
    if (this.closed) return true;
    this.queue.push(data);
    this.queuedBytes += data.length;
    if (!this.writing) void this.pump();
    if (this.queuedBytes >= HIGH_WATER_BYTES) {
      this.needsDrain = true;
      return false;
    }
    return true;
  }

  /** Empties the file (and drops rotated ones) in order with pending writes. */
  async truncate(): Promise<void> {
    this.truncateRequested = true;
    if (!this.writing) void this.pump();
    await this.whenIdle();
  }

  async close(): Promise<void> {
    await this.whenIdle();
    this.closed = true;
    await this.handle?.close();
    this.handle = null;
  }

  whenIdle(): Promise<void> {
    if (!this.writing && this.queue.length === 0 && !this.truncateRequested) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private async pump(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0 || this.truncateRequested) {
        const handle = await this.ensureOpen();
        if (this.truncateRequested) {
          this.truncateRequested = false;
          await handle.truncate(0);
          this.size = 0;
          for (let index = 1; index <= Math.max(this.options.keep, DEFAULT_LOG_KEEP); index++) {
            rmSync(`${this.path}.${index}`, { force: true });
          }
          continue;
        }
        const batch = this.queue.length === 1 ? this.queue[0]! : Buffer.concat(this.queue, this.queuedBytes);
        this.queue = [];
        this.queuedBytes = 0;
        if (this.size > 0 && this.size + batch.length > this.options.maxBytes) await this.rotate();
        const target = await this.ensureOpen();
        await target.write(batch);
        this.size += batch.length;
        if (this.needsDrain && this.queuedBytes < HIGH_WATER_BYTES) {
          this.needsDrain = false;
          this.emit('drain');
        }
      }
    } catch (error) {
      this.emit('error', error);
    } finally {
      this.writing = false;
      const waiting = this.idle;
      this.idle = [];
      for (const resolve of waiting) resolve();
    }
  }

  private async ensureOpen(): Promise<FileHandle> {
    if (!this.handle) {
      this.handle = await open(this.path, 'a', 0o600);
      this.size = (await this.handle.stat()).size;
    }
    return this.handle;
  }

  private async rotate(): Promise<void> {
    await this.handle?.close();
    this.handle = null;
    const keep = this.options.keep;
    if (keep === 0) {
      rmSync(this.path, { force: true });
    } else {
      rmSync(`${this.path}.${keep}`, { force: true });
      for (let index = keep - 1; index >= 1; index--) {
        if (existsSync(`${this.path}.${index}`)) renameSync(`${this.path}.${index}`, `${this.path}.${index + 1}`);
      }
      renameSync(this.path, `${this.path}.1`);
    }
    this.size = 0;
  }
}

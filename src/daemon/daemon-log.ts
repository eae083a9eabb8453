import { closeSync, constants, fstatSync, openSync, writeSync } from 'node:fs';
import { rotateFiles } from '../logs/log-file.js';

export const DAEMON_LOG_MAX_BYTES = 10 * 1024 * 1024;
export const DAEMON_LOG_KEEP = 5;

/**
 * The daemon's own log (pino writes each entry here): appended synchronously,
 * rotated by size like service logs, and never a reason to stop. When a line
 * cannot be written (disk full, a /dev/full planted there) it is dropped and
 * counted, and the count is written with the next line that goes through; so
 * a full disk neither crashes the daemon nor makes it hang on exit.
 */
export class DaemonLog {
  private fd: number | null = null;
  private size = 0;
  private dropped = 0;
  private lastError = '';

  constructor(readonly path: string, private readonly maxBytes = DAEMON_LOG_MAX_BYTES, private readonly keep = DAEMON_LOG_KEEP) {}

  /** Lines dropped since the last one that was written. */
  get droppedLines(): number {
    return this.dropped;
  }

  write(line: string): boolean {
    try {
      this.ensureOpen();
      if (this.dropped > 0) {
        this.append(`${JSON.stringify({ level: 40, time: new Date().toISOString(), msg: `daemon.log: ${this.dropped} line(s) could not be written (${this.lastError})` })}\n`);
        this.dropped = 0;
      }
      this.append(line);
      return true;
    } catch (error) {
      this.dropped++;
      this.lastError = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      this.close();
      return true; // pino must never see a failure: the daemon goes on
    }
  }

  close(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // nothing more to do
    }
    this.fd = null;
  }

  private append(text: string): void {
    const bytes = Buffer.from(text);
    if (this.size > 0 && this.size + bytes.length > this.maxBytes) {
      this.close();
      rotateFiles(this.path, this.keep);
      this.ensureOpen();
    }
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd!, bytes, written, bytes.length - written);
    this.size += written;
  }

  private ensureOpen(): void {
    if (this.fd !== null) return;
    // O_NOFOLLOW refuses a planted symlink; a character device (/dev/full) is written, fails and is counted.
    this.fd = openSync(this.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    this.size = fstatSync(this.fd).size;
  }
}

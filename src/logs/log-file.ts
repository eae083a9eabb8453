import { EventEmitter } from 'node:events';
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, ftruncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogPosition } from './carry.js';
import { describeError } from './write-all.js';

export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_LOG_KEEP = 5;
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5_000;

export interface RotationOptions {
  maxBytes: number;
  keep: number;
}

export interface Stall {
  /** For people: "disk full (ENOSPC) writing /…/api.out.log". */
  reason: string;
  since: number;
}

/** Bytes the disk refused, kept in order, with whose they are and the owner's mark for them ('flushed' tells both, as each is written). */
interface Kept {
  data: Buffer;
  owner?: object;
  mark?: unknown;
}

/**
 * One append-only log file, written synchronously in the tick the lines were
 * read, so nothing read from a child waits in the daemon's memory. It rotates
 * by size between whole lines. When the disk refuses a write (full, quota,
 * I/O error) the unwritten bytes are kept in order, `write` returns false so
 * the caller stops reading its children (they are slowed, never dropped), and
 * a retry with back-off resumes on its own once space is back ('flushed'
 * with each piece's owner and mark as it goes in, and whether more pieces of
 * that owner still wait; then 'resumed').
 * A file or folder deleted under it is recreated, with the lines written since
 * the last check copied over.
 */
export class LogFile extends EventEmitter {
  private fd: number | null = null;
  private ino = 0;
  private size = 0;
  /** Size when the path last pointed at our file: bytes after it survive a deletion. */
  private checkedSize = 0;
  private pending: Kept[] = [];
  private retryTimer: NodeJS.Timeout | null = null;
  private retryMs = RETRY_FIRST_MS;
  stall: Stall | null = null;

  constructor(readonly path: string, private readonly options: RotationOptions) {
    super();
  }

  /** Where the next byte goes, for carry files (opens the file if need be; zeros when it cannot). */
  position(): LogPosition {
    try {
      this.ensureOpen();
    } catch {
      // reported by the next write
    }
    return { size: this.size, ino: this.ino };
  }

  /** Appends whole lines; false when the disk refused them (kept, written later in order, then 'flushed' with `owner` and `mark`). */
  write(data: Buffer, owner?: object, mark?: unknown): boolean {
    if (this.stall) {
      this.pending.push(ownCopy({ data, owner, mark }));
      return false;
    }
    return this.writeNow({ data, owner, mark });
  }

  /** Empties the file and drops the rotated ones (`flush`). */
  truncate(): void {
    try {
      this.ensureOpen();
      ftruncateSync(this.fd!, 0);
      this.size = 0;
      this.checkedSize = 0;
    } catch (error) {
      this.enterStall(error, []);
    }
    for (let index = 1; index <= Math.max(this.options.keep, DEFAULT_LOG_KEEP); index++) rmSync(`${this.path}.${index}`, { force: true });
  }

  /** Cuts the file back to `size` (a write a killed daemon left half done); false when it cannot. */
  truncateTo(size: number): boolean {
    try {
      this.ensureOpen();
    } catch {
      return false;
    }
    return this.undoTo(size);
  }

  /**
   * Called now and then: a deleted file (or folder) is recreated and the
   * recent lines copied over. True when it did so (the file moved on).
   */
  checkPath(): boolean {
    if (this.fd === null) return false;
    if (this.pathIsOurs()) {
      this.checkedSize = this.size;
      return false;
    }
    const recovered = this.readBack(this.checkedSize, this.size);
    this.closeFd();
    if (recovered.length > 0) this.pending.unshift({ data: recovered });
    this.flushPending();
    return true;
  }

  close(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.pending.length > 0) this.flushPending();
    this.closeFd();
  }

  private writeNow(kept: Kept): boolean {
    const { data } = kept;
    let written = 0;
    let before = -1;
    try {
      this.ensureOpen();
      if (this.size > 0 && this.size + data.length > this.options.maxBytes) this.rotate();
      before = this.size;
      // A write may take fewer bytes than given (a disk filling up): go on from there.
      while (written < data.length) {
        const count = writeSync(this.fd!, data, written, data.length - written);
        written += count;
        this.size += count;
      }
      return true;
    } catch (error) {
      // Undo a partial write, so the file never ends in half a line (the lines are kept, whole, for later).
      if (written > 0 && this.undoTo(before)) written = 0;
      this.enterStall(error, [{ data: data.subarray(written), owner: kept.owner, mark: kept.mark }]);
      return false;
    }
  }

  private undoTo(size: number): boolean {
    if (this.fd === null || size < 0) return false;
    try {
      ftruncateSync(this.fd, size);
      this.size = size;
      return true;
    } catch {
      return false;
    }
  }

  private enterStall(error: unknown, rest: Kept[]): void {
    this.pending.push(...rest.filter((piece) => piece.data.length > 0).map(ownCopy));
    const first = this.stall === null;
    this.stall ??= { reason: describeError(error, this.path), since: Date.now() };
    if (first) this.emit('stalled', this.stall);
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') this.closeFd(); // reopen on retry (a folder may be back)
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.flushPending();
    }, this.retryMs);
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
  }

  /** Writes what was kept, in order; resumes when all of it went. */
  private flushPending(): void {
    const waiting = this.pending;
    this.pending = [];
    for (let index = 0; index < waiting.length; index++) {
      const piece = waiting[index]!;
      if (!this.writeNow(piece)) {
        // writeNow kept the unwritten part: everything after it goes after it.
        this.pending.push(...waiting.slice(index + 1));
        return;
      }
      // More of the same owner still waiting: its journal may count only this piece as written.
      const more = piece.owner !== undefined && (waiting.some((other, at) => at > index && other.owner === piece.owner) || this.pending.some((other) => other.owner === piece.owner));
      this.emit('flushed', piece.owner, piece.mark, more);
    }
    this.retryMs = RETRY_FIRST_MS;
    if (this.stall) {
      this.stall = null;
      this.emit('resumed');
    }
  }

  private ensureOpen(): void {
    if (this.fd !== null) return;
    const folder = dirname(this.path);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    // The file name is opened O_NOFOLLOW; the folder must not be a symlink (or someone else's) either.
    const owner = lstatSync(folder);
    if (!owner.isDirectory() || (process.getuid && owner.uid !== process.getuid())) {
      throw Object.assign(new Error(`${folder} is not a folder of ours`), { code: 'EUNSAFE' });
    }
    // O_NOFOLLOW: a symlink planted at the log's path is refused, never written through.
    this.fd = openSync(this.path, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    const stat = fstatSync(this.fd);
    this.ino = stat.ino;
    this.size = stat.size;
    this.checkedSize = stat.size;
  }

  private rotate(): void {
    // Deleted (or replaced) since the last check: what went to the old file since then comes along.
    const rescued = this.pathIsOurs() ? null : this.readBack(this.checkedSize, this.size);
    this.closeFd();
    if (rescued === null) rotateFiles(this.path, this.options.keep);
    this.ensureOpen();
    if (rescued && rescued.length > 0) {
      let written = 0;
      while (written < rescued.length) written += writeSync(this.fd!, rescued, written, rescued.length - written);
      this.size += rescued.length;
    }
  }

  private pathIsOurs(): boolean {
    try {
      const stat = lstatSync(this.path);
      return stat.isFile() && stat.ino === this.ino;
    } catch {
      return false;
    }
  }

  private readBack(from: number, to: number): Buffer {
    if (this.fd === null || to <= from) return Buffer.alloc(0);
    const bytes = Buffer.alloc(to - from);
    try {
      const read = readSync(this.fd, bytes, 0, bytes.length, from);
      return bytes.subarray(0, read);
    } catch {
      return Buffer.alloc(0);
    }
  }

  private closeFd(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // already unusable
    }
    this.fd = null;
  }
}

/** `path` becomes `path.1`, `.1` becomes `.2`, … up to `keep` (the oldest is dropped; keep 0: just removed). */
export function rotateFiles(path: string, keep: number): void {
  if (keep === 0) {
    rmSync(path, { force: true });
    return;
  }
  rmSync(`${path}.${keep}`, { force: true });
  for (let index = keep - 1; index >= 1; index--) renameIfThere(`${path}.${index}`, `${path}.${index + 1}`);
  renameIfThere(path, `${path}.1`);
}

function renameIfThere(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * A piece kept for later owns its bytes: what a write is given may be a view
 * of the daemon's shared read buffer (unstamped lines go to the file as read),
 * which the next read of any pipe overwrites.
 */
function ownCopy(kept: Kept): Kept {
  return { ...kept, data: Buffer.from(kept.data) };
}

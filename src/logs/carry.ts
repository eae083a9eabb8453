import { closeSync, constants, fstatSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';

/** Where the log file stood when a carry was committed. */
export interface LogPosition {
  size: number;
  ino: number;
}

/** What a stream's carry file holds: its unterminated tail, and what was read after the last commit. */
export interface Carried extends LogPosition {
  continued: boolean;
  /** The unterminated tail as of the last commit. */
  tail: Buffer;
  /** Bytes read after that commit (a chunk the daemon may have died processing). */
  pending: Buffer;
}

/** The header is fixed-size and rewritten in place; the data after it is only ever appended to. */
const HEADER_BYTES = 128;
/** Past this, a commit copies the tail into a fresh file (rename: never a torn carry). */
const COMPACT_AT_BYTES = 4 * 1024 * 1024;

interface Header extends LogPosition {
  /** The committed tail is file[tailStart, end); file[end, EOF) was read since. */
  tailStart: number;
  end: number;
  continued: boolean;
}

/** Pure: the header block (JSON, space-padded, newline-terminated). */
export function encodeCarryHeader(header: Header): Buffer {
  const json = JSON.stringify({ v: 2, ...header });
  return Buffer.from(`${json.padEnd(HEADER_BYTES - 1)}\n`);
}

export function decodeCarry(bytes: Buffer): Carried | null {
  if (bytes.length < HEADER_BYTES || bytes[HEADER_BYTES - 1] !== 10) return null;
  try {
    const header = JSON.parse(bytes.subarray(0, HEADER_BYTES).toString('utf8')) as Partial<Header> & { v?: number };
    const { size, ino, tailStart, end } = header;
    if (header.v !== 2 || typeof size !== 'number' || typeof ino !== 'number' || typeof tailStart !== 'number' || typeof end !== 'number') return null;
    if (tailStart < HEADER_BYTES || end < tailStart || end > bytes.length) return null;
    return { size, ino, continued: header.continued === true, tail: bytes.subarray(tailStart, end), pending: bytes.subarray(end) };
  } catch {
    return null;
  }
}

/**
 * A stream's intake journal. Each chunk read from a child is appended here
 * before any JavaScript looks at it; once its lines are in the log, a commit
 * rewrites only the fixed header, to say where the stream's unterminated tail
 * now starts (it is always the end of what was read). A daemon killed at any
 * instant leaves a committed tail plus at most the one chunk it was handling,
 * which the next daemon writes again unless the log shows it already has it.
 * When the file grows past 4 MB a commit moves the tail to a fresh file.
 */
export class CarryFile {
  private fd: number | null = null;
  /** Bytes in the file (where the next chunk goes); 0 until a header exists. */
  private dataEnd = 0;

  constructor(readonly path: string) {}

  static load(path: string): Carried | null {
    let fd: number | null = null;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      return decodeCarry(readFileSync(fd));
    } catch {
      return null;
    } finally {
      if (fd !== null) closeSync(fd);
    }
  }

  /** Keeps the first `length` bytes of `buffer` (a chunk just read). */
  append(buffer: Buffer, length = buffer.length): void {
    if (this.fd === null) return; // no header yet (or a failed write): the next commit starts afresh
    try {
      writeSync(this.fd, buffer, 0, length, this.dataEnd);
      this.dataEnd += length;
    } catch {
      this.reset();
    }
  }

  /**
   * The chunks appended so far are in the log at `position`; the stream's
   * tail is the last `tailLength` bytes read (`tail()` gives them, for a fresh file).
   */
  commit(tailLength: number, continued: boolean, position: LogPosition, tail: () => Buffer): void {
    try {
      if (this.fd === null || this.dataEnd - HEADER_BYTES < tailLength || this.dataEnd > COMPACT_AT_BYTES) {
        this.rewrite(tail(), continued, position);
        return;
      }
      const header = encodeCarryHeader({ ...position, tailStart: this.dataEnd - tailLength, end: this.dataEnd, continued });
      writeSync(this.fd, header, 0, header.length, 0);
    } catch {
      // A full disk, say: without the journal, a daemon killed now could lose the chunk it handles.
      this.reset();
    }
  }

  /** Stops using the file; it stays for the next daemon (a handover). */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  remove(): void {
    this.close();
    rmSync(this.path, { force: true });
    rmSync(`${this.path}.new`, { force: true });
  }

  /** A fresh file, header and tail, put in place by rename: a kill meanwhile leaves the old one whole. */
  private rewrite(tail: Buffer, continued: boolean, position: LogPosition): void {
    const next = `${this.path}.new`;
    rmSync(next, { force: true });
    const fd = openSync(next, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      const bytes = Buffer.concat([encodeCarryHeader({ ...position, tailStart: HEADER_BYTES, end: HEADER_BYTES + tail.length, continued }), tail]);
      writeSync(fd, bytes, 0, bytes.length, 0);
      renameSync(next, this.path);
    } catch (error) {
      closeSync(fd);
      rmSync(next, { force: true });
      throw error;
    }
    this.close();
    this.fd = fd;
    this.dataEnd = fstatSync(fd).size;
  }

  private reset(): void {
    this.remove();
    this.dataEnd = 0;
  }
}

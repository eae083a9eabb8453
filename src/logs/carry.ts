import { closeSync, constants, fstatSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import type { Stall } from './log-file.js';
import { describeError, writeAll } from './write-all.js';

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
  /**
   * The file was there but does not add up (cut short, overwritten): why.
   * Then `tail` is what could be kept of the tail (whole, or nothing),
   * `pending` is empty and `size`/`ino` mean nothing.
   */
  damaged?: string;
}

/** The header is fixed-size and rewritten in place; the data after it is only ever appended to. */
const HEADER_BYTES = 128;
/** The most one read takes (OutputPipe's buffer): the journal always has room for one more chunk, on disk already. */
export const CARRY_CHUNK_MAX = 64 * 1024;
/** Zeros written past the data ahead of time, so a chunk is kept even when the disk has just filled up. */
const RESERVE_BYTES = 2 * CARRY_CHUNK_MAX;
/** The room's zeros: one buffer for every journal, only ever read from (making room allocated 128 KB each time). */
const ZEROS = Buffer.alloc(RESERVE_BYTES);
/** Once this much of the file is behind the tail (and at least the tail's own size), a commit moves the tail to the front. */
const COMPACT_DEAD_BYTES = 64 * 1024;

interface Header extends LogPosition {
  /** The committed tail is file[tailStart, end); file[end, dataEnd) was read since; zeros (room) follow. */
  tailStart: number;
  end: number;
  dataEnd: number;
  continued: boolean;
}

/** Pure: the header block (JSON, space-padded, newline-terminated). */
export function encodeCarryHeader(header: Header): Buffer {
  const json = JSON.stringify({ v: 3, ...header });
  return Buffer.from(`${json.padEnd(HEADER_BYTES - 1)}\n`);
}

export function decodeCarry(bytes: Buffer): Carried | null {
  if (bytes.length < HEADER_BYTES || bytes[HEADER_BYTES - 1] !== 10) return null;
  try {
    const header = JSON.parse(bytes.subarray(0, HEADER_BYTES).toString('utf8')) as Partial<Header> & { v?: number };
    const { size, ino, tailStart, end } = header;
    // v2 (before the room ahead): what was read since the commit runs to the end of the file.
    const dataEnd = header.v === 2 ? bytes.length : header.dataEnd;
    if ((header.v !== 2 && header.v !== 3) || typeof size !== 'number' || typeof ino !== 'number' || typeof tailStart !== 'number' || typeof end !== 'number' || typeof dataEnd !== 'number') return null;
    if (tailStart < HEADER_BYTES || end < tailStart || dataEnd < end || dataEnd > bytes.length) return null;
    return { size, ino, continued: header.continued === true, tail: bytes.subarray(tailStart, end), pending: bytes.subarray(end, dataEnd) };
  } catch {
    return null;
  }
}

/**
 * Pure: what can be kept of a journal that does not decode — its committed
 * tail when the header still reads and the tail is whole in the file (what
 * was read after it may be cut short, and whether the log has it is unknown).
 */
export function salvageCarry(bytes: Buffer, path: string): Carried {
  const damaged = { size: 0, ino: 0, continued: false, tail: Buffer.alloc(0), pending: Buffer.alloc(0), damaged: `journal ${path} is damaged (${bytes.length} bytes, its header or data cut short or overwritten)` };
  try {
    const header = JSON.parse(bytes.subarray(0, HEADER_BYTES).toString('utf8')) as Partial<Header>;
    const { tailStart, end } = header;
    if (typeof tailStart !== 'number' || typeof end !== 'number' || tailStart < HEADER_BYTES || end < tailStart || end > bytes.length) return damaged;
    return { ...damaged, continued: header.continued === true, tail: Buffer.from(bytes.subarray(tailStart, end)) };
  } catch {
    return damaged;
  }
}

/**
 * A stream's intake journal. Each chunk read from a child is written here
 * before any JavaScript looks at it, into room (zeros) the file already has
 * on disk — so a disk that filled up a moment ago still takes it — and the
 * header says where it ends. Once its lines are in the log, a commit
 * rewrites only the header, to say where the stream's unterminated tail now
 * starts (always the end of what was read). A daemon killed at any instant
 * leaves a committed tail plus at most the one chunk it was handling, which
 * the next daemon writes again unless the log shows it already has it.
 *
 * `ready` is false while the journal has no room for another chunk (the disk
 * is full, or refused the file): the caller stops reading until it has.
 * Once 64 KB (and the tail's size) lie behind the tail, a commit copies the
 * tail to the front and the space behind it becomes room again: a stream's
 * journal stays about 200 KB, and once made it needs no more disk.
 */
export class CarryFile {
  private fd: number | null = null;
  private header: Header | null = null;
  /** Bytes the file holds on disk, data and room. */
  private fileEnd = 0;
  /** Why the journal has no room (a full disk…), or null. */
  problem: Stall | null = null;

  constructor(readonly path: string) {}

  /** What a journal holds; null when there is none; `damaged` when there is one that does not add up. */
  static load(path: string): Carried | null {
    let fd: number | null = null;
    let bytes: Buffer;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      bytes = readFileSync(fd);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      return { size: 0, ino: 0, continued: false, tail: Buffer.alloc(0), pending: Buffer.alloc(0), damaged: describeError(error, path) };
    } finally {
      if (fd !== null) closeSync(fd);
    }
    return decodeCarry(bytes) ?? salvageCarry(bytes, path);
  }

  /**
   * Goes on with the journal a previous daemon left at `path` (header, data
   * and room stay where they are); nothing when there is none, or not of this
   * format: the first commit then starts a fresh one.
   */
  adopt(): void {
    if (this.fd !== null) return;
    let fd: number | null = null;
    try {
      fd = openSync(this.path, constants.O_RDWR | constants.O_NOFOLLOW);
      const bytes = readFileSync(fd);
      const header = JSON.parse(bytes.subarray(0, HEADER_BYTES).toString('utf8')) as Header & { v?: number };
      if (header.v !== 3 || decodeCarry(bytes) === null) throw new Error('not a journal of this format');
      this.fd = fd;
      this.header = { size: header.size, ino: header.ino, tailStart: header.tailStart, end: header.end, dataEnd: header.dataEnd, continued: header.continued };
      this.fileEnd = bytes.length;
    } catch {
      if (fd !== null) closeSync(fd);
    }
  }

  /** Room for one more chunk is on disk: reading may go on. */
  get ready(): boolean {
    return this.fd !== null && this.header !== null && this.fileEnd - this.header.dataEnd >= CARRY_CHUNK_MAX;
  }

  /**
   * Keeps the first `length` bytes of `buffer` (a chunk just read, at most
   * CARRY_CHUNK_MAX). False when there is no room for the next one: stop
   * reading, and call `makeRoom` later.
   */
  append(buffer: Buffer, length = buffer.length): boolean {
    if (!this.ready) return false; // the caller had stopped reading: this chunk is in memory only
    const header = this.header!;
    try {
      writeAll(this.fd!, buffer, 0, length, header.dataEnd);
      this.writeHeader({ ...header, dataEnd: header.dataEnd + length });
    } catch (error) {
      this.fail(error);
      return false;
    }
    return this.makeRoom();
  }

  /**
   * The chunks appended so far are in the log at `position`; the stream's
   * tail is the last `tailLength` bytes read (`tail()` gives them, for a
   * fresh file). False when the journal has no room for the next chunk.
   */
  commit(tailLength: number, continued: boolean, position: LogPosition, tail: () => Buffer): boolean {
    const dataEnd = this.header?.dataEnd ?? HEADER_BYTES;
    const dead = dataEnd - HEADER_BYTES - tailLength;
    if (this.fd === null || dead < 0) {
      if (!this.rewrite(tail(), continued, position)) {
        if (this.fd !== null) this.fail(this.problem); // an old file that no longer adds up
        return false;
      }
      return this.makeRoom();
    }
    try {
      this.writeHeader({ ...position, tailStart: dataEnd - tailLength, end: dataEnd, dataEnd, continued });
      if (dead >= COMPACT_DEAD_BYTES && dead >= tailLength) {
        // The tail moves to the front, over bytes nothing refers to now; the rest of the file is room again.
        const bytes = tail();
        const front = HEADER_BYTES + bytes.length;
        writeAll(this.fd, bytes, 0, bytes.length, HEADER_BYTES);
        this.writeHeader({ ...position, tailStart: HEADER_BYTES, end: front, dataEnd: front, continued });
      }
    } catch (error) {
      this.fail(error);
      return false;
    }
    return this.makeRoom();
  }

  /**
   * A partial commit: the chunks appended up to `end` (a `dataEnd` this
   * journal had) are in the log at `position`, the tail then being the last
   * `tailLength` bytes before `end`; what was appended after `end` stays
   * pending. False (nothing written) when `end` is not one of this journal's.
   */
  commitTo(end: number, tailLength: number, continued: boolean, position: LogPosition): boolean {
    const header = this.header;
    if (this.fd === null || header === null || end > header.dataEnd || end - tailLength < header.tailStart) return false;
    try {
      this.writeHeader({ ...position, tailStart: end - tailLength, end, dataEnd: header.dataEnd, continued });
    } catch (error) {
      this.fail(error);
      return false;
    }
    return true;
  }

  /** Where the next chunk goes (the end of what was read so far), or null without a journal. */
  get dataEnd(): number | null {
    return this.header?.dataEnd ?? null;
  }

  /**
   * The log moved on to `position` without the chunk kept after the commit
   * (the disk refused that one; other lines went in first): that chunk stays
   * pending, against the new position.
   */
  rebase(position: LogPosition): void {
    if (this.fd === null || this.header === null) return;
    try {
      this.writeHeader({ ...this.header, ...position });
    } catch (error) {
      this.fail(error);
    }
  }

  /** Writes room ahead for the next chunks if it ran short; false while the disk refuses it. */
  makeRoom(): boolean {
    if (this.fd === null || this.header === null) return false;
    if (this.fileEnd - this.header.dataEnd >= CARRY_CHUNK_MAX) return true;
    const target = this.header.dataEnd + RESERVE_BYTES;
    try {
      // What a disk about to fill takes is room too.
      while (this.fileEnd < target) this.fileEnd += writeAll(this.fd, ZEROS, 0, Math.min(RESERVE_BYTES, target - this.fileEnd), this.fileEnd, true);
    } catch (error) {
      this.problem ??= { reason: describeError(error, this.path), since: Date.now() };
      return this.ready;
    }
    this.problem = null;
    return true;
  }

  /** Stops using the file; it stays for the next daemon (a handover). */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.header = null;
    this.fileEnd = 0;
  }

  remove(): void {
    this.close();
    rmSync(this.path, { force: true });
    rmSync(`${this.path}.new`, { force: true });
  }

  private writeHeader(header: Header): void {
    const bytes = encodeCarryHeader(header);
    writeAll(this.fd!, bytes, 0, bytes.length, 0);
    this.header = header;
  }

  /** A fresh file — header, tail, room — put in place by rename: a kill meanwhile leaves the old one whole. */
  private rewrite(tail: Buffer, continued: boolean, position: LogPosition): boolean {
    const next = `${this.path}.new`;
    let fd: number | null = null;
    try {
      rmSync(next, { force: true });
      fd = openSync(next, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      const header: Header = { ...position, tailStart: HEADER_BYTES, end: HEADER_BYTES + tail.length, dataEnd: HEADER_BYTES + tail.length, continued };
      const bytes = Buffer.concat([encodeCarryHeader(header), tail, ZEROS]);
      writeAll(fd, bytes, 0, bytes.length, 0);
      renameSync(next, this.path);
      this.close();
      this.fd = fd;
      this.header = header;
      this.fileEnd = fstatSync(fd).size;
      this.problem = null;
      return true;
    } catch (error) {
      if (fd !== null) closeSync(fd);
      rmSync(next, { force: true });
      this.problem ??= { reason: describeError(error, this.path), since: Date.now() };
      return false;
    }
  }

  /** A write that should have fit failed (an I/O error): this file is no longer trusted; the next commit starts a fresh one. */
  private fail(error: unknown): void {
    this.problem ??= { reason: describeError(error, this.path), since: Date.now() };
    this.close();
  }
}

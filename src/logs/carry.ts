import { closeSync, constants, fstatSync, openSync, readFileSync, renameSync, rmSync, writevSync } from 'node:fs';
import { APPEND_MAX, CARRY_CHUNK_MAX, HEADER_BYTES, TRAILER_BYTES, crc32, decodeCarry, encodeCarryHeader, encodeTrailer, readHeader, salvageCarry, type Carried, type Header, type LogPosition } from './carry-format.js';
import type { Stall } from './log-file.js';
import { describeError, writeAll } from './write-all.js';

export { CARRY_CHUNK_MAX, decodeCarry, encodeCarryHeader, salvageCarry, type Carried, type LogPosition } from './carry-format.js';

/** Zeros written past the data ahead of time, so a chunk is kept even when the disk has just filled up. */
const RESERVE_BYTES = 2 * CARRY_CHUNK_MAX;
/** The room's zeros: one buffer for every journal, only ever read from (making room allocated 128 KB each time). */
const ZEROS = Buffer.alloc(RESERVE_BYTES);
/** Once this much of the file is behind the tail (and at least the tail's own size), a commit moves the tail to the front. */
const COMPACT_DEAD_BYTES = 64 * 1024;

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
  /** Where each header is encoded before it is written (one per journal, not one per write). */
  private readonly headerBytes = Buffer.alloc(HEADER_BYTES);
  private readonly trailerBytes = Buffer.alloc(TRAILER_BYTES);
  /** The sequence number of the next chunk appended. */
  private seq = 0;
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
      const read = readHeader(bytes);
      if (!read || read.version !== 4) throw new Error('not a journal of this format');
      this.fd = fd;
      this.header = read.header;
      this.seq = read.seq;
      this.fileEnd = bytes.length;
    } catch {
      if (fd !== null) closeSync(fd);
    }
  }

  /** Room for one more chunk is on disk: reading may go on. */
  get ready(): boolean {
    return this.fd !== null && this.header !== null && this.fileEnd - this.header.dataEnd >= APPEND_MAX;
  }

  /**
   * Keeps the first `length` bytes of `buffer` (a chunk just read, at most
   * CARRY_CHUNK_MAX). False when there is no room for the next one: stop
   * reading, and call `makeRoom` later.
   */
  append(buffer: Buffer, length = buffer.length): boolean {
    if (!this.ready) return false; // the caller had stopped reading: this chunk is in memory only
    const header = this.header!;
    const next: Header = { ...header, dataEnd: header.dataEnd + length };
    try {
      // The chunk and its trailer in one write: a kill before the header's write below loses nothing.
      const trailer = encodeTrailer(next, this.seq, length, crc32(buffer.subarray(0, length)), this.trailerBytes);
      const written = writevSync(this.fd!, [buffer.subarray(0, length), trailer], header.dataEnd);
      if (written < length + TRAILER_BYTES) {
        // A short write (a disk filling up, though the room was there): the rest, or the reason it fails.
        if (written < length) writeAll(this.fd!, buffer, written, length - written, header.dataEnd + written);
        const done = Math.max(0, written - length);
        writeAll(this.fd!, trailer, done, TRAILER_BYTES - done, next.dataEnd + done);
      }
      this.seq++;
      this.writeHeader(next);
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
    if (this.fileEnd - this.header.dataEnd >= APPEND_MAX) return true;
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
    const bytes = encodeCarryHeader(header, this.seq, this.headerBytes);
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
      const bytes = Buffer.concat([encodeCarryHeader(header, this.seq), tail, ZEROS]);
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

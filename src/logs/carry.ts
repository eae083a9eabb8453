import { closeSync, constants, fstatSync, openSync, readFileSync, renameSync, rmSync, writevSync } from 'node:fs';
import { crc32 } from 'node:zlib';
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
/**
 * Each chunk is appended with a trailer right after it, in the same write:
 * the header the write after it puts at the front (plus the chunk's length,
 * sequence number and checksum). A daemon killed between the two writes
 * leaves a header that does not know the chunk; the next one finds the
 * trailer after the header's data end and takes the chunk from there.
 * The next chunk overwrites the trailer (the header knows it by then).
 */
const TRAILER_BYTES = 64;
const TRAILER_MAGIC = Buffer.from('apictlJT', 'latin1');
/** Room the next append needs: a whole chunk and its trailer. */
const APPEND_MAX = CARRY_CHUNK_MAX + TRAILER_BYTES;
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

/**
 * Pure: the header block (JSON, space-padded, newline-terminated), into
 * `target` (a fresh buffer when none is given). v4: short keys, so that the
 * largest numbers still fit in 127 bytes; `q` is the sequence number the
 * next appended chunk gets (a trailer left from an earlier pass over the
 * same bytes has a lower one).
 */
export function encodeCarryHeader(header: Header, seq = 0, target = Buffer.allocUnsafe(HEADER_BYTES)): Buffer {
  const { size, ino, tailStart, end, dataEnd, continued } = header;
  const json = `{"v":4,"size":${size},"ino":${ino},"t":${tailStart},"e":${end},"d":${dataEnd},"c":${continued ? 1 : 0},"q":${seq}}`;
  if (json.length > HEADER_BYTES - 1) throw Object.assign(new Error(`journal header too long: ${json}`), { code: 'EOVERFLOW' });
  const length = target.write(json, 0, 'latin1');
  target.fill(32, length, HEADER_BYTES - 1);
  target[HEADER_BYTES - 1] = 10;
  return target;
}

/** Pure: the trailer of a chunk of `length` bytes (checksum `dataCrc`) that is the journal's `seq`th, with the header that follows it. */
function encodeTrailer(header: Header, seq: number, length: number, dataCrc: number, target: Buffer): Buffer {
  TRAILER_MAGIC.copy(target, 0);
  target.writeUInt32LE(seq >>> 0, 8);
  target.writeUInt32LE(length, 12);
  target.writeUInt32LE(dataCrc >>> 0, 16);
  target.writeUInt32LE(header.continued ? 1 : 0, 20);
  target.writeDoubleLE(header.size, 24);
  target.writeDoubleLE(header.ino, 32);
  target.writeDoubleLE(header.tailStart, 40);
  target.writeDoubleLE(header.end, 48);
  target.writeUInt32LE(crc32(target.subarray(0, 56)) >>> 0, 56);
  target.writeUInt32LE(0, 60);
  return target;
}

/**
 * Pure: the header a chunk's trailer holds, if a whole chunk numbered `seq`
 * starts at `from` (the data end the header knows) with its trailer after
 * it — what a daemon killed between the chunk's write and the header's leaves.
 */
function findTrailer(bytes: Buffer, from: number, seq: number): Header | null {
  const limit = Math.min(bytes.length, from + APPEND_MAX);
  for (let at = bytes.indexOf(TRAILER_MAGIC, from); at !== -1 && at + TRAILER_BYTES <= limit; at = bytes.indexOf(TRAILER_MAGIC, at + 1)) {
    const trailer = bytes.subarray(at, at + TRAILER_BYTES);
    if (trailer.readUInt32LE(56) !== crc32(trailer.subarray(0, 56)) >>> 0) continue;
    if (trailer.readUInt32LE(8) !== seq >>> 0 || at - trailer.readUInt32LE(12) !== from) continue;
    if (trailer.readUInt32LE(16) !== crc32(bytes.subarray(from, at)) >>> 0) continue;
    const header: Header = { size: trailer.readDoubleLE(24), ino: trailer.readDoubleLE(32), tailStart: trailer.readDoubleLE(40), end: trailer.readDoubleLE(48), dataEnd: at, continued: trailer.readUInt32LE(20) === 1 };
    if (header.tailStart < HEADER_BYTES || header.end < header.tailStart || header.end > from) continue;
    return header;
  }
  return null;
}

/** Pure: the fields of a header block as written (v2, v3: long keys; v4: short ones), unchecked; throws when it is not JSON. */
function headerFields(bytes: Buffer) {
  const raw = JSON.parse(bytes.subarray(0, HEADER_BYTES).toString('utf8')) as Record<string, unknown>;
  const v4 = raw.v === 4;
  // v2 (before the room ahead): what was read since the commit runs to the end of the file.
  const dataEnd = raw.v === 2 ? bytes.length : v4 ? raw.d : raw.dataEnd;
  return { version: raw.v, size: raw.size, ino: raw.ino, tailStart: v4 ? raw.t : raw.tailStart, end: v4 ? raw.e : raw.end, dataEnd, continued: v4 ? raw.c === 1 : raw.continued === true, seq: v4 ? raw.q : 0 };
}

/** Pure: a journal's header, taking up the chunks whose header write a kill cut off; null when it does not add up. */
function readHeader(bytes: Buffer): { header: Header; seq: number; version: number } | null {
  if (bytes.length < HEADER_BYTES || bytes[HEADER_BYTES - 1] !== 10) return null;
  try {
    const { version, size, ino, tailStart, end, dataEnd, continued, seq } = headerFields(bytes);
    if ((version !== 2 && version !== 3 && version !== 4) || typeof size !== 'number' || typeof ino !== 'number' || typeof tailStart !== 'number' || typeof end !== 'number' || typeof dataEnd !== 'number' || typeof seq !== 'number') return null;
    if (tailStart < HEADER_BYTES || end < tailStart || dataEnd < end || dataEnd > bytes.length) return null;
    let header: Header = { size, ino, tailStart, end, dataEnd, continued };
    let next = seq;
    if (version === 4) {
      for (let found = findTrailer(bytes, header.dataEnd, next); found; found = findTrailer(bytes, header.dataEnd, next)) {
        header = found;
        next++;
      }
    }
    return { header, seq: next, version };
  } catch {
    return null;
  }
}

export function decodeCarry(bytes: Buffer): Carried | null {
  const read = readHeader(bytes);
  if (!read) return null;
  const { size, ino, continued, tailStart, end, dataEnd } = read.header;
  return { size, ino, continued, tail: bytes.subarray(tailStart, end), pending: bytes.subarray(end, dataEnd) };
}

/**
 * Pure: what can be kept of a journal that does not decode — its committed
 * tail when the header still reads and the tail is whole in the file (what
 * was read after it may be cut short, and whether the log has it is unknown).
 */
export function salvageCarry(bytes: Buffer, path: string): Carried {
  const damaged = { size: 0, ino: 0, continued: false, tail: Buffer.alloc(0), pending: Buffer.alloc(0), damaged: `journal ${path} is damaged (${bytes.length} bytes, its header or data cut short or overwritten)` };
  try {
    const { tailStart, end, continued } = headerFields(bytes);
    if (typeof tailStart !== 'number' || typeof end !== 'number' || tailStart < HEADER_BYTES || end < tailStart || end > bytes.length) return damaged;
    return { ...damaged, continued, tail: Buffer.from(bytes.subarray(tailStart, end)) };
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

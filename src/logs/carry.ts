import { closeSync, constants, ftruncateSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

/** Where the log file stood: a later write by the same stream tells a processed chunk from one that was not. */
export interface LogPosition {
  size: number;
  ino: number;
}

/** What a stream's carry file holds: its unterminated tail, and a chunk read but maybe not yet written. */
export interface Carried extends LogPosition {
  continued: boolean;
  /** The unterminated tail as of the last commit. */
  tail: Buffer;
  /** Bytes read after that commit (a chunk the daemon may have died processing). */
  pending: Buffer;
}

/** The header is fixed-size, so a chunk is appended after the tail without rewriting anything. */
const HEADER_BYTES = 96;

/** Pure: the header line of a carry file (JSON, space-padded, newline-terminated). */
export function encodeCarryHeader(position: LogPosition, tailBytes: number, continued: boolean): Buffer {
  const json = JSON.stringify({ size: position.size, ino: position.ino, tail: tailBytes, continued });
  return Buffer.from(`${json.padEnd(HEADER_BYTES - 1)}\n`);
}

export function decodeCarry(bytes: Buffer): Carried | null {
  if (bytes.length < HEADER_BYTES || bytes[HEADER_BYTES - 1] !== 10) return null;
  try {
    const header = JSON.parse(bytes.subarray(0, HEADER_BYTES).toString('utf8')) as { size?: unknown; ino?: unknown; tail?: unknown; continued?: unknown };
    if (typeof header.size !== 'number' || typeof header.ino !== 'number' || typeof header.tail !== 'number') return null;
    const data = bytes.subarray(HEADER_BYTES);
    const tail = Math.min(header.tail, data.length);
    return { size: header.size, ino: header.ino, continued: header.continued === true, tail: data.subarray(0, tail), pending: data.subarray(tail) };
  } catch {
    return null;
  }
}

/**
 * A stream's intake journal. Each chunk read from a child is appended here
 * before anything else is done with it, then, once its lines are in the log,
 * the file is committed back to the stream's unterminated tail. A daemon
 * killed at any instant therefore leaves either a committed tail, or a tail
 * plus one chunk that the next daemon processes again — or, if the log
 * already has it, only takes the new tail from. The one window left is
 * between the read and the append: no JavaScript runs there.
 */
export class CarryFile {
  private fd: number | null = null;
  private tailBytes = 0;
  private appended = 0;
  private broken = false;

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

  /** Keeps the first `length` bytes of `buffer` (a chunk just read), after the committed tail. */
  append(buffer: Buffer, length = buffer.length): void {
    if (this.broken) return;
    try {
      this.open();
      writeSync(this.fd!, buffer, 0, length, HEADER_BYTES + this.tailBytes + this.appended);
      this.appended += length;
    } catch {
      this.giveUp();
    }
  }

  /** The chunk's lines are in the log at `position`: the file becomes the new tail. */
  commit(tail: Buffer, continued: boolean, position: LogPosition): void {
    if (this.broken) return;
    try {
      this.open();
      const bytes = Buffer.concat([encodeCarryHeader(position, tail.length, continued), tail]);
      writeSync(this.fd!, bytes, 0, bytes.length, 0);
      if (this.appended > 0 || bytes.length < HEADER_BYTES + this.tailBytes) ftruncateSync(this.fd!, bytes.length);
      this.tailBytes = tail.length;
      this.appended = 0;
    } catch {
      this.giveUp();
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
  }

  private open(): void {
    if (this.fd !== null) return;
    // The stream's first commit (at attach) creates it, so what is appended always lands after a header.
    this.fd = openSync(this.path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  }

  /** A full disk, say: without the journal, only a daemon killed mid-chunk could lose that chunk. */
  private giveUp(): void {
    this.broken = true;
    this.remove();
  }
}

/**
 * Pure: whether the chunk kept after the carried position was already
 * written to the log. The daemon appends a chunk, writes its lines, then
 * commits, in one tick; so the log moved past the carried position because
 * of this stream only if it wrote the log's last line. Other instances'
 * lines may follow a commit.
 */
export function wasProcessed(carried: LogPosition, now: LogPosition, lastLineIsOurs: () => boolean): boolean {
  if (now.ino === carried.ino && now.size === carried.size) return false;
  if (now.ino !== carried.ino && now.size === 0) return false; // rotated, nothing written since
  return lastLineIsOurs();
}

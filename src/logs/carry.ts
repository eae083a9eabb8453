import { closeSync, constants, ftruncateSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

/** Where the log file stood when a tail was kept: a later write by the same stream makes the carry stale. */
export interface LogPosition {
  size: number;
  ino: number;
}

export interface Carried extends LogPosition {
  data: Buffer;
  continued: boolean;
}

/** Pure: the carry file's bytes, a JSON header line then the tail as written. */
export function encodeCarry(carried: Carried): Buffer {
  const header = JSON.stringify({ size: carried.size, ino: carried.ino, continued: carried.continued });
  return Buffer.concat([Buffer.from(`${header}\n`), carried.data]);
}

export function decodeCarry(bytes: Buffer): Carried | null {
  const newline = bytes.indexOf(10);
  if (newline === -1) return null;
  try {
    const header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as Partial<Carried>;
    if (typeof header.size !== 'number' || typeof header.ino !== 'number') return null;
    return { size: header.size, ino: header.ino, continued: header.continued === true, data: bytes.subarray(newline + 1) };
  } catch {
    return null;
  }
}

/**
 * The unterminated tail of one output stream, kept on disk in the same tick
 * it changes. A daemon killed while a block writer's line is half-read loses
 * nothing: the next daemon starts from this tail instead of tearing the line.
 */
export class CarryFile {
  private fd: number | null = null;
  private empty = true;

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

  save(carried: Carried): void {
    if (carried.data.length === 0 && !carried.continued) return this.clear();
    try {
      this.fd ??= openSync(this.path, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
      const bytes = encodeCarry(carried);
      writeSync(this.fd, bytes, 0, bytes.length, 0);
      ftruncateSync(this.fd, bytes.length);
      this.empty = false;
    } catch {
      // Best effort (a full disk): without a carry, only a daemon killed now could tear this one line.
      this.remove();
    }
  }

  clear(): void {
    if (this.empty) return;
    try {
      if (this.fd !== null) ftruncateSync(this.fd, 0);
      this.empty = true;
    } catch {
      this.remove();
    }
  }

  /** Stops using the file (it stays for the next daemon: a handover). */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  remove(): void {
    this.close();
    rmSync(this.path, { force: true });
    this.empty = true;
  }
}

/**
 * Pure: whether a carried tail is still the stream's tail. The daemon writes
 * a stream's lines, then its carry, in one tick; only a kill between the two
 * leaves a stale carry, and then that stream wrote the file's last line after
 * the carried position. Other instances' lines may follow a current carry.
 */
export function isCarryCurrent(carried: LogPosition, now: LogPosition, lastLineIsOurs: () => boolean): boolean {
  if (now.ino === carried.ino && now.size === carried.size) return true;
  if (now.ino !== carried.ino && now.size === 0) return true; // rotated, nothing written since
  return !lastLineIsOurs();
}

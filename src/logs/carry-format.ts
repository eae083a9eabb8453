// The intake journal's on-disk format (pure): the fixed-size header, the
// trailer each chunk is written with, and how a file is read back.

let zlibCrc32: ((data: Uint8Array) => number) | undefined;
/**
 * zlib's CRC-32, node:zlib loaded with the first journal a daemon writes or
 * reads: one with no services never loads it (~0.6 MB resident, issue 15).
 */
export function crc32(data: Uint8Array): number {
  zlibCrc32 ??= process.getBuiltinModule('node:zlib').crc32;
  return zlibCrc32(data);
}

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
export const HEADER_BYTES = 128;
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
export const TRAILER_BYTES = 64;
const TRAILER_MAGIC = Buffer.from('apictlJT', 'latin1');
/** Room the next append needs: a whole chunk and its trailer. */
export const APPEND_MAX = CARRY_CHUNK_MAX + TRAILER_BYTES;

export interface Header extends LogPosition {
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
export function encodeTrailer(header: Header, seq: number, length: number, dataCrc: number, target: Buffer): Buffer {
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
export function findTrailer(bytes: Buffer, from: number, seq: number): Header | null {
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
export function readHeader(bytes: Buffer): { header: Header; seq: number; version: number } | null {
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

import { writeSync } from 'node:fs';

const REASONS: Record<string, string> = {
  ENOSPC: 'disk full', EDQUOT: 'disk quota exceeded', EIO: 'I/O error', EROFS: 'read-only file system',
  EFBIG: 'file too large', EACCES: 'permission denied', EPERM: 'permission denied', ELOOP: 'refused a symlink',
  EUNSAFE: 'refused a log folder that is a symlink or not ours',
};

/** For people: "disk full (ENOSPC) writing /…/api.out.log". */
export function describeError(error: unknown, path: string): string {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return `${REASONS[code] ?? 'cannot write'} (${code}) writing ${path}`;
}

/**
 * Writes all `length` bytes (at `position`, or appending when null): a file
 * write may take fewer than given when the disk fills up, and the rest then
 * fails with the reason. `once`: return after the first write, however short.
 * Returns the bytes written.
 */
export function writeAll(fd: number, buffer: Buffer, offset: number, length: number, position: number | null, once = false): number {
  let written = 0;
  while (written < length) {
    const count = writeSync(fd, buffer, offset + written, length - written, position === null ? null : position + written);
    if (count <= 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    written += count;
    if (once) break;
  }
  return written;
}

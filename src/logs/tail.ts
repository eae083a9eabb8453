import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

const BLOCK_BYTES = 256 * 1024;

/**
 * The last `count` lines of one file, reading backwards in blocks, each byte
 * looked at once (never the whole file unless it is all wanted).
 */
export function readLastLines(path: string, count: number): string[] {
  if (count <= 0) return [];
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    let position = size;
    const pieces: Buffer[] = [];
    let newlines = 0;
    /** Where the wanted text starts in pieces[0], once found. */
    let start = -1;
    while (position > 0 && start === -1) {
      const length = Math.min(BLOCK_BYTES, position);
      position -= length;
      const block = Buffer.allocUnsafe(length);
      readSync(fd, block, 0, length, position);
      pieces.unshift(block);
      for (let at = block.lastIndexOf(10); at !== -1; at = at > 0 ? block.lastIndexOf(10, at - 1) : -1) {
        if (position + at === size - 1) continue; // the file's final newline ends the last line
        if (++newlines === count) {
          start = at + 1;
          break;
        }
      }
    }
    const lines = Buffer.concat(pieces).subarray(Math.max(0, start)).toString('utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines;
  } finally {
    closeSync(fd);
  }
}

/** The last `count` lines of a log, continuing into its rotated files (`.1`, `.2`, ...) when short. */
export function readLastLinesRotated(path: string, count: number, keep: number): string[] {
  const lines = readLastLines(path, count);
  for (let index = 1; index <= keep && lines.length < count; index++) {
    lines.unshift(...readLastLines(`${path}.${index}`, count - lines.length));
  }
  return lines;
}

/** The instance tag of a log file's last line (0 for untagged lines), or null for an empty file. */
export function lastLineInstance(path: string): number | null {
  const [last] = readLastLines(path, 1);
  if (last === undefined) return null;
  const match = /^\S+Z\+? \[(\d+)\] /.exec(last) ?? /^\+? ?\[(\d+)\] /.exec(last);
  return match ? Number(match[1]) : 0;
}

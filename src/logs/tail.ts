import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const BLOCK_BYTES = 64 * 1024;

/** The last `count` lines of one file, reading backwards in blocks (never the whole file). */
export function readLastLines(path: string, count: number): string[] {
  if (count <= 0) return [];
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return [];
  }
  try {
    let position = fstatSync(fd).size;
    let text = '';
    let pieces: Buffer[] = [];
    while (position > 0) {
      const size = Math.min(BLOCK_BYTES, position);
      position -= size;
      const block = Buffer.alloc(size);
      readSync(fd, block, 0, size, position);
      pieces = [block, ...pieces];
      let newlines = 0;
      for (const piece of pieces) for (const byte of piece) if (byte === 10) newlines++;
      if (newlines > count) break;
    }
    text = Buffer.concat(pieces).toString('utf8');
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    if (position > 0) lines.shift(); // the first line may be cut
    return lines.slice(-count);
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

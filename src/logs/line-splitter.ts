import { StringDecoder } from 'node:string_decoder';

/**
 * Turns pipe chunks into blocks of whole lines. A chunk may end mid-line or
 * even mid-character; the remainder waits for the next chunk, and `end`
 * returns a final line that had no newline. Blocks (not arrays of lines) keep
 * the flood path to a few native string operations per chunk.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  /** Every complete line so far as one string ending in "\n", or null. */
  push(chunk: Buffer): string | null {
    const text = this.partial + this.decoder.write(chunk);
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline === -1) {
      this.partial = text;
      return null;
    }
    this.partial = text.slice(lastNewline + 1);
    return text.slice(0, lastNewline + 1);
  }

  end(): string | null {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    return rest.length > 0 ? `${rest}\n` : null;
  }
}

/** Lines of a block ending in "\n", without their newline (and CR). */
export function splitBlock(block: string): string[] {
  const lines = block.split('\n');
  lines.pop();
  return block.includes('\r') ? lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line)) : lines;
}

/** The last `count` lines of a block, found from the end without splitting all of it. */
export function lastLinesOf(block: string, count: number): string[] {
  let end = block.length - 1;
  let start = end;
  let taken = 0;
  while (taken < count && start > 0) {
    start = block.lastIndexOf('\n', end - 1);
    taken++;
    if (start === -1) break;
    end = start;
  }
  return splitBlock(block.slice(start === -1 ? 0 : start + 1));
}

/** Prefixes every line of a block: one native replace for the whole chunk. */
export function prefixBlock(block: string, prefix: string): string {
  const body = block.includes('\r') ? block.replace(/\r\n/g, '\n') : block;
  return prefix + body.slice(0, -1).replaceAll('\n', `\n${prefix}`) + '\n';
}

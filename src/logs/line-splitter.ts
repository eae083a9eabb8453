/**
 * Turns pipe chunks into blocks of whole lines, as bytes. A "\n" byte never
 * occurs inside a multi-byte UTF-8 character, so splitting needs no decoder:
 * a chunk that ends mid-line (or mid-character) keeps its tail for the next.
 */
export class LineSplitter {
  private partial: Buffer | null = null;

  /** Every complete line so far as one block ending in "\n", or null. */
  push(chunk: Buffer): Buffer | null {
    const data = this.partial ? Buffer.concat([this.partial, chunk]) : chunk;
    const lastNewline = data.lastIndexOf(10);
    if (lastNewline === -1) {
      this.partial = data;
      return null;
    }
    this.partial = lastNewline + 1 < data.length ? Buffer.from(data.subarray(lastNewline + 1)) : null;
    return data.subarray(0, lastNewline + 1);
  }

  /** A final line without a newline, given one. */
  end(): Buffer | null {
    const rest = this.partial;
    this.partial = null;
    return rest && rest.length > 0 ? Buffer.concat([rest, Buffer.from('\n')]) : null;
  }
}

/** Lines of a block ending in "\n", decoded as UTF-8, without their newline (and CR). */
export function splitBlock(block: Buffer): string[] {
  const lines = block.toString('utf8').split('\n');
  lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** The last `count` lines of a block, found from the end without decoding all of it. */
export function lastLinesOf(block: Buffer, count: number): string[] {
  let start = block.length - 1;
  for (let taken = 0; taken < count && start > 0; taken++) {
    start = block.lastIndexOf(10, start - 1);
    if (start === -1) break;
  }
  return splitBlock(block.subarray(start === -1 ? 0 : start + 1));
}

/**
 * Prefixes every line of a block. latin1 maps bytes 1:1 to a compact string,
 * so one native replace stamps the whole chunk and the bytes come back
 * exactly as the child wrote them (no UTF-8 decode and re-encode).
 */
export function prefixBlock(block: Buffer, prefix: string): Buffer {
  // No prefix (logDate: false, one instance) and no CR to drop: the bytes go to the file as they came.
  if (prefix === '' && block.indexOf(13) === -1) return block;
  let text = block.toString('latin1');
  if (text.includes('\r')) text = text.replaceAll('\r\n', '\n');
  return Buffer.from(prefix + text.slice(0, -1).replaceAll('\n', `\n${prefix}`) + '\n', 'latin1');
}

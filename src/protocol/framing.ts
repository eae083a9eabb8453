// NDJSON framing: one JSON value per line. Chunks from a socket may split a
// message anywhere (even inside a multi-byte character), so bytes are kept
// until a newline arrives.

export class NdjsonDecoder {
  private pending: Buffer[] = [];

  /** Feeds a chunk; returns every complete message it finished. */
  push(chunk: Buffer): unknown[] {
    const messages: unknown[] = [];
    let start = 0;
    let newline = chunk.indexOf(10);
    while (newline !== -1) {
      const piece = chunk.subarray(start, newline);
      const line = this.pending.length > 0 ? Buffer.concat([...this.pending, piece]) : piece;
      this.pending = [];
      if (line.length > 0) messages.push(JSON.parse(line.toString('utf8')));
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) this.pending.push(chunk.subarray(start));
    return messages;
  }
}

export function encodeMessage(message: unknown): string {
  return JSON.stringify(message) + '\n';
}

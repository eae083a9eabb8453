// NDJSON framing: one JSON value per line. Chunks from a socket may split a
// message anywhere (even inside a multi-byte character), so bytes are kept
// until a newline arrives — up to a cap, so one endless line cannot take the
// reader's memory.

export class MessageTooLarge extends Error {
  constructor(readonly limitBytes: number) {
    super(`message larger than ${limitBytes} bytes`);
  }
}

export class NdjsonDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxMessageBytes = Infinity) {}

  /** Feeds a chunk; returns every complete message it finished. Throws MessageTooLarge or a JSON SyntaxError. */
  push(chunk: Buffer): unknown[] {
    const messages: unknown[] = [];
    let start = 0;
    let newline = chunk.indexOf(10);
    while (newline !== -1) {
      const piece = chunk.subarray(start, newline);
      if (this.pendingBytes + piece.length > this.maxMessageBytes) throw new MessageTooLarge(this.maxMessageBytes);
      const line = this.pending.length > 0 ? Buffer.concat([...this.pending, piece]) : piece;
      this.pending = [];
      this.pendingBytes = 0;
      if (line.length > 0) messages.push(JSON.parse(line.toString('utf8')));
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      if (this.pendingBytes + rest.length > this.maxMessageBytes) throw new MessageTooLarge(this.maxMessageBytes);
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
    return messages;
  }
}

export function encodeMessage(message: unknown): string {
  return JSON.stringify(message) + '\n';
}

export const DEFAULT_LOG_MAX_LINE_BYTES = 1024 * 1024;

/** Whole lines, each ending in "\n" (a piece cut at the line cap gets one). */
export interface Segment {
  data: Buffer;
  /** The first line of `data` continues a line that was cut before it. */
  continued: boolean;
}

const NEWLINE = Buffer.from('\n');

/** Pure: the largest cut ≤ `at` that does not split a UTF-8 character of `bytes` (never 0 unless `at` is). */
export function charBoundary(bytes: Buffer, at: number): number {
  let cut = at;
  // 10xxxxxx is a continuation byte: the character started before it.
  for (let step = 0; step < 3 && cut > 0 && cut < bytes.length && (bytes[cut]! & 0xc0) === 0x80; step++) cut--;
  return cut === 0 ? at : cut;
}

/**
 * Turns pipe chunks into whole lines, in linear time: a chunk is searched for
 * newlines once, and an unterminated tail is kept as a list of pieces (never
 * re-scanned). A line longer than `maxLineBytes` (output without newlines, a
 * progress bar, a binary blob) is cut into pieces of that size at character
 * boundaries, each one its own line, the later ones marked as continued.
 */
export class LineCutter {
  private parts: Buffer[] = [];
  private length = 0;
  private continued = false;

  constructor(private readonly maxLineBytes = DEFAULT_LOG_MAX_LINE_BYTES) {}

  /** The unterminated tail so far (what a carry file keeps across a daemon restart). */
  get pending(): { data: Buffer; continued: boolean } {
    return { data: this.length === 0 ? Buffer.alloc(0) : Buffer.concat(this.parts, this.length), continued: this.continued };
  }

  /** Length of the unterminated tail (cheap: for a journal commit, which needs no bytes). */
  get pendingLength(): number {
    return this.length;
  }

  get pendingContinued(): boolean {
    return this.continued;
  }

  /** Resumes a tail a previous daemon kept. */
  restore(data: Buffer, continued: boolean): void {
    this.parts = data.length > 0 ? [Buffer.from(data)] : [];
    this.length = data.length;
    this.continued = continued;
  }

  push(chunk: Buffer): Segment[] {
    const out: Segment[] = [];
    let offset = 0;
    if (this.length > 0 || this.continued) {
      const newline = chunk.indexOf(10);
      if (newline === -1) {
        this.keep(chunk, out);
        return out;
      }
      this.keep(chunk.subarray(0, newline), out);
      out.push({ data: Buffer.concat([...this.parts, NEWLINE], this.length + 1), continued: this.continued });
      this.reset();
      offset = newline + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= offset) {
      const block = chunk.subarray(offset, last + 1);
      // No line can be over the cap in a block this short: the usual case costs nothing more.
      if (block.length <= this.maxLineBytes + 1) out.push({ data: block, continued: false });
      else this.cutLongLines(block, out);
      offset = last + 1;
    }
    if (offset < chunk.length) this.keep(chunk.subarray(offset), out);
    return out;
  }

  /** The last unterminated line, given a newline (when the stream ends). */
  end(): Segment | null {
    if (this.length === 0) {
      this.reset();
      return null;
    }
    const segment = { data: Buffer.concat([...this.parts, NEWLINE], this.length + 1), continued: this.continued };
    this.reset();
    return segment;
  }

  /** Adds bytes of an unterminated line, cutting pieces off whenever the line reaches the cap. */
  private keep(bytes: Buffer, out: Segment[]): void {
    let rest = bytes;
    while (this.length + rest.length > this.maxLineBytes) {
      const cut = charBoundary(rest, this.maxLineBytes - this.length);
      out.push({ data: Buffer.concat([...this.parts, rest.subarray(0, cut), NEWLINE], this.length + cut + 1), continued: this.continued });
      this.parts = [];
      this.length = 0;
      this.continued = true;
      rest = rest.subarray(cut);
    }
    if (rest.length === 0) return;
    // A copy: holding a view would pin the whole 64 KB chunk behind a short tail.
    this.parts.push(Buffer.from(rest));
    this.length += rest.length;
  }

  private cutLongLines(block: Buffer, out: Segment[]): void {
    let start = 0;
    while (start < block.length) {
      const newline = block.indexOf(10, start);
      const line = block.subarray(start, newline);
      if (line.length <= this.maxLineBytes) {
        out.push({ data: block.subarray(start, newline + 1), continued: false });
      } else {
        this.keep(line, out);
        out.push({ data: Buffer.concat([...this.parts, NEWLINE], this.length + 1), continued: this.continued });
        this.reset();
      }
      start = newline + 1;
    }
  }

  private reset(): void {
    this.parts = [];
    this.length = 0;
    this.continued = false;
  }
}

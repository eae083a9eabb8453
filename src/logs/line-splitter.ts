import { StringDecoder } from 'node:string_decoder';

/**
 * Turns pipe chunks into whole lines. A chunk may end mid-line or even
 * mid-character; the remainder waits for the next chunk, and `end` returns a
 * final line that had no newline.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  push(chunk: Buffer): string[] {
    const text = this.partial + this.decoder.write(chunk);
    const lines: string[] = [];
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      const end = newline > start && text.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      lines.push(text.slice(start, end));
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    this.partial = start === 0 ? text : text.slice(start);
    return lines;
  }

  end(): string | null {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    return rest.length > 0 ? rest : null;
  }
}

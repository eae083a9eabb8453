import type { LogStream } from './log-line.js';

export interface RecentBlock {
  time: number;
  instance: number;
  stream: LogStream;
  block: Buffer;
}

/**
 * The newest blocks of output, bounded by bytes rather than count: a slow
 * service's one-line blocks and a flood's 64 KB blocks both keep enough for
 * "the last lines it logged" without holding megabytes per service.
 */
export class RecentBlocks {
  private blocks: RecentBlock[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number, private readonly maxBlocks: number) {}

  push(entry: RecentBlock): void {
    this.blocks.push(entry);
    this.bytes += entry.block.length;
    let drop = 0;
    while (this.blocks.length - drop > 1 && (this.bytes > this.maxBytes || this.blocks.length - drop > this.maxBlocks)) {
      this.bytes -= this.blocks[drop]!.block.length;
      drop++;
    }
    if (drop > 0) this.blocks = this.blocks.slice(drop);
  }

  /** Oldest first. */
  toArray(): readonly RecentBlock[] {
    return this.blocks;
  }
}

import type { Segment } from './line-cutter.js';
import { storedLinePrefix } from './log-line.js';

/**
 * Stamped chunks are built in one buffer for the whole daemon: the file write
 * that takes them runs before the next chunk is stamped, and a piece the disk
 * refuses is copied to be kept (log-file.ts). A buffer per chunk (~90 KB for a
 * full read of 100-byte lines) cost, under the keeper's malloc settings, an
 * mmap, its page faults and a munmap per chunk: a quarter of 8 KB-block
 * throughput (npm run bench). Larger results (a read of very short lines)
 * get a buffer of their own.
 */
const SCRATCH_BYTES = 128 * 1024;
let scratch: Buffer | null = null;

function latin1Bytes(text: string): Buffer {
  if (text.length > SCRATCH_BYTES) return Buffer.from(text, 'latin1');
  scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES);
  return scratch.subarray(0, scratch.write(text, 0, 'latin1'));
}

/**
 * Prefixes every line of a block. latin1 maps bytes 1:1 to a compact string,
 * so one native replace stamps the whole chunk and the bytes come back
 * exactly as the child wrote them (no UTF-8 decode and re-encode).
 */
function prefixText(block: Buffer, prefix: string): string {
  let text = block.toString('latin1');
  if (text.includes('\r')) text = text.replaceAll('\r\n', '\n');
  if (prefix === '') return text;
  return prefix + text.slice(0, -1).replaceAll('\n', `\n${prefix}`) + '\n';
}

/**
 * The stored bytes of some segments: each line stamped, a continued first
 * line marked. A view of the daemon's shared buffer, valid until the next
 * call (or the segment itself, when nothing is added).
 */
export function stampSegments(segments: Segment[], isoTime: string | null, instance: number | null): Buffer {
  const prefix = storedLinePrefix(isoTime, instance);
  const only = segments.length === 1 ? segments[0]! : null;
  // No prefix (logDate: false, one instance) and no CR to drop: the bytes go to the file as they came.
  if (only && !only.continued && prefix === '' && only.data.indexOf(13) === -1) return only.data;
  let text = '';
  for (const { data, continued } of segments) {
    if (!continued) {
      text += prefixText(data, prefix);
      continue;
    }
    const firstEnd = data.indexOf(10) + 1;
    text += prefixText(data.subarray(0, firstEnd), storedLinePrefix(isoTime, instance, true));
    if (firstEnd < data.length) text += prefixText(data.subarray(firstEnd), prefix);
  }
  return latin1Bytes(text);
}

/** Lines of a block ending in "\n", decoded as UTF-8, without their newline (and CR). */
export function splitBlock(block: Buffer): string[] {
  const lines = block.toString('utf8').split('\n');
  lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

import type { Segment } from './line-cutter.js';
import { storedLinePrefix } from './log-line.js';

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

/** The stored bytes of some segments: each line stamped, a continued first line marked. */
export function stampSegments(segments: Segment[], isoTime: string | null, instance: number | null): Buffer {
  const prefix = storedLinePrefix(isoTime, instance);
  const stamped: Buffer[] = [];
  for (const { data, continued } of segments) {
    if (!continued) {
      stamped.push(prefixBlock(data, prefix));
      continue;
    }
    const firstEnd = data.indexOf(10) + 1;
    stamped.push(prefixBlock(data.subarray(0, firstEnd), storedLinePrefix(isoTime, instance, true)));
    if (firstEnd < data.length) stamped.push(prefixBlock(data.subarray(firstEnd), prefix));
  }
  return stamped.length === 1 ? stamped[0]! : Buffer.concat(stamped);
}

/** Lines of a block ending in "\n", decoded as UTF-8, without their newline (and CR). */
export function splitBlock(block: Buffer): string[] {
  const lines = block.toString('utf8').split('\n');
  lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

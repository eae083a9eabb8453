import type { Carried, LogPosition } from './carry.js';
import { LineCutter, type Segment } from './line-cutter.js';

export interface ResumePlan {
  /** The stream's unterminated tail and whether it continues a cut line, once the kept chunk is accounted for. */
  tail: Buffer;
  continued: boolean;
  /** Lines of the kept chunk the log does not have yet: written now. */
  write: Segment[];
  /** The kept chunk was half written when the daemon died: cut the log back to here first. */
  truncateTo: number | null;
  /** The carry was damaged (why): part of a line may be missing, and the stream's next line is marked as a continuation. */
  damaged: string | null;
}

/**
 * Pure: how a stream resumes from its carry. Every write to a log file is
 * followed, in the same tick, by a commit of every carry of that file; so a
 * log that moved past the carried position moved because of the one chunk
 * kept after the commit. How far it moved, against that chunk's stamped
 * length, tells written (skip), half written (cut back, write again) or not
 * written (write).
 */
export function planResume(carried: Carried | null, now: LogPosition, maxLineBytes: number, stampedLength: (segments: Segment[]) => number): ResumePlan {
  if (!carried) return { tail: Buffer.alloc(0), continued: false, write: [], truncateTo: null, damaged: null };
  if (carried.damaged) {
    // What was read after the tail is lost (or cannot be told from what the log has): the tail kept goes out
    // as a line of its own, and whatever the pipe gives next starts a line that is marked as continued.
    const write = carried.tail.length > 0 ? [{ data: Buffer.concat([carried.tail, Buffer.from('\n')]), continued: carried.continued }] : [];
    return { tail: Buffer.alloc(0), continued: true, write, truncateTo: null, damaged: carried.damaged };
  }
  const cutter = new LineCutter(maxLineBytes);
  cutter.restore(carried.tail, carried.continued);
  const segments = carried.pending.length > 0 ? cutter.push(carried.pending) : [];
  const { data: tail, continued } = cutter.pending;
  if (segments.length === 0) return { tail, continued, write: [], truncateTo: null, damaged: null };
  // A rotation is the first thing a write may do: then the new file holds only this chunk.
  const base = now.ino === carried.ino ? carried.size : 0;
  const grown = now.size - base;
  if (grown <= 0) return { tail, continued, write: segments, truncateTo: null, damaged: null };
  if (grown < stampedLength(segments)) return { tail, continued, write: segments, truncateTo: base, damaged: null };
  return { tail, continued, write: [], truncateTo: null, damaged: null };
}

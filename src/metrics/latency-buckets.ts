/**
 * Upper bounds of the latency buckets, in seconds: 1, 1.5, 2, 3, 5, 7.5 per
 * decade from 0.1 ms to 60 s. Fixed, so a histogram is a few hundred bytes
 * however many requests it counts; fine enough that a quantile read from it
 * (linear inside a bucket) is within a bucket's width of the truth.
 */
export const LATENCY_BOUNDS_SECONDS: readonly number[] = (() => {
  const steps = [1, 1.5, 2, 3, 5, 7.5];
  const bounds: number[] = [];
  for (let exponent = -4; exponent <= 0; exponent++) for (const step of steps) bounds.push(Number((step * 10 ** exponent).toPrecision(3)));
  bounds.push(10, 15, 20, 30, 60);
  return bounds;
})();

/** Buckets per histogram: one per bound, and one past the last (+Inf). */
export const BUCKET_COUNT = LATENCY_BOUNDS_SECONDS.length + 1;

/** Pure: the bucket a duration falls in (the first bound >= it), by binary search. */
export function bucketOf(seconds: number): number {
  let low = 0;
  let high = LATENCY_BOUNDS_SECONDS.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (seconds <= LATENCY_BOUNDS_SECONDS[middle]!) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * Pure: the q-quantile (0..1) of bucket counts, interpolated linearly inside
 * its bucket as Prometheus' histogram_quantile does; null for no samples.
 */
export function quantileOf(counts: ArrayLike<number>, q: number): number | null {
  let total = 0;
  for (let index = 0; index < counts.length; index++) total += counts[index]!;
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let index = 0; index < counts.length; index++) {
    const count = counts[index]!;
    if (count > 0 && seen + count >= rank) {
      const lower = index === 0 ? 0 : LATENCY_BOUNDS_SECONDS[index - 1]!;
      // Past the last bound there is no upper edge: report the last bound.
      if (index >= LATENCY_BOUNDS_SECONDS.length) return lower;
      const upper = LATENCY_BOUNDS_SECONDS[index]!;
      return lower + (upper - lower) * ((rank - seen) / count);
    }
    seen += count;
  }
  return LATENCY_BOUNDS_SECONDS.at(-1)!;
}

// Pure: which instance slots a service has as its count changes (indexes are
// reused: the lowest free one goes to a new instance).

/** The lowest index not taken. */
export function lowestFreeIndex(taken: readonly number[]): number {
  const used = new Set(taken);
  let index = 0;
  while (used.has(index)) index++;
  return index;
}

/**
 * Slots a new daemon sets up for a service it takes over: its base count
 * (min, or the pinned count) and every other one the old daemon ran, so an
 * instance it had scaled up to keeps serving (adopted, same pid) until the
 * autoscaler finds it idle.
 */
export function slotsToAdopt(base: number, records: ReadonlyArray<{ index: number; run: unknown }>): number[] {
  const indexes = new Set(Array.from({ length: base }, (_, index) => index));
  for (const record of records) if (record.run) indexes.add(record.index);
  return [...indexes].sort((a, b) => a - b);
}

/** A stopped service starts again at its base count: the lowest slots are kept (with their restart counts), the rest forgotten. */
export function keepBaseSlots<T extends { index: number }>(slots: readonly T[], base: number): T[] {
  return slots.length <= base ? [...slots] : [...slots].sort((a, b) => a.index - b.index).slice(0, base);
}

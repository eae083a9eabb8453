// V8 collects garbage when the program allocates, and Node never tells it the
// process went idle: the garbage of a burst of work (a start of 50 services,
// a delete, a check of a services file) stays in the heap, its pages
// resident, until enough is allocated again — in an idle daemon, for minutes.
// The daemon knows when it goes quiet: QUIET_MS after the last command or
// status change it runs one full, compacting collection, at the latest MAX_WAIT_MS after
// the first change of a busy stretch. SETTLE_MS after that, if nothing came
// meanwhile, two more plain collections: V8 gives back the young generation's
// grown pages only at a collection that sees a low allocation rate, and the
// first one still sees the burst (measured: a 10-service start left the young
// generation at 2 MB instead of 0.26, 200 start+delete cycles at 1 MB).
// It needs `gc` (node --expose-gc, which the keeper passes); without it this does nothing.

const QUIET_MS = 3_000;
const MAX_WAIT_MS = 30_000;
const SETTLE_MS = 6_000;

export interface IdleCollector {
  /** Something made garbage: collect once things are quiet. */
  touch(): void;
  close(): void;
}

export interface Collections {
  /** Once the daemon is quiet. */
  quiet: () => void;
  /** settleMs after that, if it stayed quiet. */
  settled: () => void;
}

export interface CollectTiming {
  quietMs: number;
  maxWaitMs: number;
  settleMs: number;
}

export function idleCollector(collections: Collections | undefined, timing: Partial<CollectTiming> = {}): IdleCollector {
  if (!collections) return { touch: () => undefined, close: () => undefined };
  const { quietMs = QUIET_MS, maxWaitMs = MAX_WAIT_MS, settleMs = SETTLE_MS } = timing;
  let timer: NodeJS.Timeout | null = null;
  let busySince: number | null = null;
  const schedule = (run: () => void, delayMs: number) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, delayMs);
    timer.unref();
  };
  const settle = () => {
    timer = null;
    collections.settled();
  };
  const collect = () => {
    busySince = null;
    collections.quiet();
    schedule(settle, settleMs);
  };
  return {
    touch() {
      const now = Date.now();
      busySince ??= now;
      schedule(collect, Math.max(0, Math.min(quietMs, busySince + maxWaitMs - now)));
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

/**
 * A full collection that also compacts: the pages a burst of work left half
 * full are what an idle daemon holds (measured, 10 services: 20 MB
 * anonymous after a plain gc(), 15 MB compacted). Compaction is turned on for
 * this one collection only (V8 reads the flag as a collection starts), so
 * the collections the daemon's own work triggers cost what they did.
 * Not flushing compiled code as well (--stress-flush-code, tried): it let go
 * of a copy of zod's source a daemon keeps after many checks (-0.7 MB), but
 * it also dropped the log path's code, which then ran slower for a while
 * after every quiet moment, and a log chunk read but not yet journaled when
 * the daemon is killed is lost. Two fresh-clone CI runs in a row lost lines
 * in the daemon-kill test with it (a local run passed with it and one
 * without): not proven the cause, not worth 0.7 MB.
 */
function compactingCollection(gc: () => void): () => void {
  return () => {
    const { setFlagsFromString } = process.getBuiltinModule('node:v8');
    setFlagsFromString('--compact-on-every-full-gc');
    try {
      gc();
    } finally {
      setFlagsFromString('--no-compact-on-every-full-gc');
    }
  };
}

/**
 * V8 shrinks the young generation at a collection that sees a low allocation
 * rate, one semi-space at a time (the one just emptied): two collections take
 * it from 2 MB to 0.26 (measured, 10 services: -1 MB resident).
 */
function settledCollections(gc: () => void): () => void {
  return () => {
    gc();
    gc();
  };
}

const exposed = (globalThis as { gc?: () => void }).gc;
/** The daemon's one collector, on the `gc` that node --expose-gc defines. */
export const daemonCollector: IdleCollector = idleCollector(exposed ? { quiet: compactingCollection(exposed), settled: settledCollections(exposed) } : undefined);

// V8 collects garbage when the program allocates, and Node never tells it the
// process went idle: the garbage of a burst of work (a start of 50 services,
// a delete, a check of a services file) stays in the heap, its pages
// resident, until enough is allocated again — in an idle daemon, for minutes.
// The daemon knows when it goes quiet: QUIET_MS after the last command or
// status change it runs one full, compacting collection, at the latest MAX_WAIT_MS after
// the first change of a busy stretch. It needs `gc` (node --expose-gc, which
// the keeper passes); without it this does nothing.

const QUIET_MS = 3_000;
const MAX_WAIT_MS = 30_000;

export interface IdleCollector {
  /** Something made garbage: collect once things are quiet. */
  touch(): void;
  close(): void;
}

export function idleCollector(gc: (() => void) | undefined, quietMs = QUIET_MS, maxWaitMs = MAX_WAIT_MS): IdleCollector {
  if (!gc) return { touch: () => undefined, close: () => undefined };
  let timer: NodeJS.Timeout | null = null;
  let busySince: number | null = null;
  const collect = () => {
    timer = null;
    busySince = null;
    gc();
  };
  return {
    touch() {
      const now = Date.now();
      busySince ??= now;
      if (timer) clearTimeout(timer);
      timer = setTimeout(collect, Math.max(0, Math.min(quietMs, busySince + maxWaitMs - now)));
      timer.unref();
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
 * anonymous after a plain gc(), 15 MB compacted). It also drops the compiled
 * code of every function not running at that moment, as V8's own
 * memory-reducing collections do: what ran once (a start, a delete, a check
 * of a services file) is compiled again from source if it runs again, and
 * what that code referred to is let go. Without it, the feedback of the
 * daemon's functions kept the last-loaded zod's 0.7 MB source alive after
 * 200 start+delete cycles (measured: growth +1.7 MB without, +1.0 with).
 * The second gc() frees what the first one's dropped code still held.
 * Both flags are on for these collections only (V8 reads them as a
 * collection starts), so the collections the daemon's own work triggers
 * cost what they did.
 */
function compactingCollection(gc: () => void): () => void {
  return () => {
    const { setFlagsFromString } = process.getBuiltinModule('node:v8');
    setFlagsFromString('--compact-on-every-full-gc');
    setFlagsFromString('--stress-flush-code');
    try {
      gc();
      gc();
    } finally {
      setFlagsFromString('--no-stress-flush-code');
      setFlagsFromString('--no-compact-on-every-full-gc');
    }
  };
}

const exposed = (globalThis as { gc?: () => void }).gc;
/** The daemon's one collector, on the `gc` that node --expose-gc defines. */
export const daemonCollector: IdleCollector = idleCollector(exposed ? compactingCollection(exposed) : undefined);

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

const exposed = (globalThis as { gc?: () => void }).gc;
/** The daemon's one collector, on the `gc` that node --expose-gc defines. */
export const daemonCollector: IdleCollector = idleCollector(exposed ? compactingCollection(exposed) : undefined);

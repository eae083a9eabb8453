import { isSameProcess } from './proc.js';

export const EXIT_POLL_MS = 250;

/**
 * Notices when processes that are not our children end. A daemon that
 * adopted a running instance is not its parent (that one died), so no exit
 * event comes: each adopted pid is checked by one shared timer against its
 * start time (a reused pid is another process).
 */
export class ExitWatcher {
  private readonly watched = new Map<number, { startTime: number; resolve: () => void }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs = EXIT_POLL_MS, private readonly alive: (pid: number, startTime: number) => boolean = isSameProcess) {}

  /** Resolves once `pid` (started at `startTime`) is gone. */
  watch(pid: number, startTime: number): Promise<void> {
    if (!this.alive(pid, startTime)) return Promise.resolve();
    return new Promise((resolve) => {
      this.watched.set(pid, { startTime, resolve });
      this.timer ??= setInterval(() => this.check(), this.intervalMs);
    });
  }

  /** Checks now (an end-of-file on its pipe hints that it just exited). */
  check(): void {
    for (const [pid, entry] of this.watched) {
      if (this.alive(pid, entry.startTime)) continue;
      this.watched.delete(pid);
      entry.resolve();
    }
    if (this.watched.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.watched.clear();
  }
}

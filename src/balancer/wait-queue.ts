export interface Queued {
  /** ms (performance.now()) after which it is answered 503. */
  queueDeadline: number;
  /** Its place, for O(1) cancellation; -1 when not queued. */
  queueSlot: number;
}

/**
 * FIFO of requests waiting for a free instance, bounded by time (as HAProxy's
 * `timeout queue`): every entry has the same timeout, so the head always
 * expires first and one timer serves the whole queue.
 */
export class WaitQueue<T extends Queued> {
  private items: Array<T | null> = [];
  private head = 0;
  /** Slot number of items[0]. */
  private base = 0;
  private timer: NodeJS.Timeout | null = null;
  size = 0;

  constructor(
    private readonly timeoutMs: number,
    private readonly expire: (item: T) => void,
  ) {}

  push(item: T, now: number): void {
    item.queueDeadline = now + this.timeoutMs;
    item.queueSlot = this.base + this.items.length;
    this.items.push(item);
    this.size++;
    if (!this.timer) this.arm(now);
  }

  peek(): T | null {
    this.skipCancelled();
    return this.head < this.items.length ? this.items[this.head]! : null;
  }

  shift(): T | null {
    const item = this.peek();
    if (item) this.take(item);
    return item;
  }

  /** Whether `item` waits in this queue (and not in another one). */
  holds(item: T): boolean {
    return item.queueSlot >= 0 && this.items[item.queueSlot - this.base] === item;
  }

  cancel(item: T): void {
    if (item.queueSlot < 0) return;
    this.items[item.queueSlot - this.base] = null;
    item.queueSlot = -1;
    this.size--;
  }

  /** Empties the queue, handing every entry to `each` (a stopping service answers them). */
  clear(each: (item: T) => void): void {
    for (let item = this.shift(); item; item = this.shift()) each(item);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private take(item: T): void {
    this.items[item.queueSlot - this.base] = null;
    item.queueSlot = -1;
    this.size--;
    this.skipCancelled();
  }

  private skipCancelled(): void {
    while (this.head < this.items.length && this.items[this.head] === null) this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
  }

  private arm(now: number): void {
    const first = this.peek();
    this.timer = null;
    if (!first) return;
    this.timer = setTimeout(() => this.onTimer(), Math.max(1, first.queueDeadline - now));
    this.timer.unref();
  }

  private onTimer(): void {
    const now = performance.now();
    for (let item = this.peek(); item && item.queueDeadline <= now; item = this.peek()) {
      this.take(item);
      this.expire(item);
    }
    this.arm(now);
  }
}

import type { Logger } from 'pino';
import type { PoolLoad } from '../balancer/pool-load.js';
import type { AutoscaleSnapshot, ScaleRecord, ServiceDefinition, Status } from '../types.js';
import { decideScale, type MemoryReading, type ScaleDecision, type ScaleInput } from './autoscale-policy.js';
import type { ReadyOutcome } from './instance.js';

/** How often the load is looked at (a request waiting for a cold start is looked at at once). */
export const SCALE_TICK_MS = 250;

/** What the autoscaler drives: the service's instances and its balancer. */
export interface ScalablePool {
  /** The service runs (its port is open): steps apply only then. */
  running(): boolean;
  slots(): Array<{ index: number; status: Status; port: number | null; pid: number | null }>;
  load(): PoolLoad | null;
  /** Adds one instance and starts it; null when the service stopped meanwhile. */
  add(): Promise<{ index: number; ready: Promise<ReadyOutcome> } | null>;
  /** Drains one instance (drainTimeout), stops it and forgets it. */
  remove(index: number): Promise<void>;
}

export interface AutoscalerContext {
  definition: () => ServiceDefinition;
  pool: ScalablePool;
  /** MemAvailable and the floor; null when unknown (then nothing is refused for memory). */
  readMemory: () => Omit<MemoryReading, 'instanceBytes'> | null;
  /** Resident size of a running instance as last sampled. */
  memoryOf: (pid: number) => number | null;
  logger: Logger;
  /** The pin or a decision changed (state.json, dashboards). */
  changed: () => void;
  now: () => number;
  setTimer: (callback: () => void, ms: number) => NodeJS.Timeout;
}

export interface ScaleOutcome {
  reached: boolean;
  reason?: string;
}

type Waiter = (decision: ScaleDecision | null) => void;

/**
 * The controller: looks at the load every tick (and at once when a request
 * waits for a cold start or the pin changes), asks decideScale for the next
 * step, and applies it — one at a time, each new instance ready before the
 * next decision. Decisions that change something are logged and kept for `show`.
 */
export class Autoscaler {
  pinned: number | null = null;
  lastDecision: ScaleRecord | null = null;
  readonly coldStarts = { count: 0, totalMs: 0, lastMs: null as number | null, timeouts: 0 };
  readonly steps = { up: 0, down: 0 };
  private stepping = false;
  private lastStepAt: number | null = null;
  private tick: NodeJS.Timeout | null = null;
  private soon: NodeJS.Timeout | null = null;
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly context: AutoscalerContext) {}

  private get name(): string {
    return this.context.definition().name;
  }

  /** Starts looking at the load (the service started). */
  start(): void {
    if (this.tick) return;
    const loop = () => {
      this.tick = this.context.setTimer(loop, SCALE_TICK_MS);
      this.tick.unref?.();
      this.evaluate();
    };
    this.tick = this.context.setTimer(loop, SCALE_TICK_MS);
    this.tick.unref?.();
  }

  /** Stops looking (the service stopped); a step under way finishes on its own. */
  stop(): void {
    if (this.tick) clearTimeout(this.tick);
    if (this.soon) clearTimeout(this.soon);
    this.tick = null;
    this.soon = null;
    for (const waiter of [...this.waiters]) waiter(null);
  }

  /** A request waits and no instance is ready. */
  demand(): void {
    this.evaluateSoon();
  }

  coldStartExpired(): void {
    this.coldStarts.timeouts++;
  }

  /** `apictl scale <name> N` (a number, checked by the caller) or `auto` (null). */
  pin(count: number | null): void {
    this.pinned = count;
    this.context.logger.info({ service: this.name, pinned: count }, count === null ? 'scale: automatic' : `scale: pinned at ${count}`);
    this.context.changed();
    this.evaluateSoon();
  }

  /**
   * Resolves once the pinned count (a plain service unpinned: its defined
   * count) runs and is ready, or with why not (memory floor, a failed start,
   * the deadline). Automatic: at once.
   */
  settle(timeoutMs: number): Promise<ScaleOutcome> {
    const since = this.context.now();
    const { min, rule } = this.bounds();
    const target = () => this.pinned ?? (rule ? null : min);
    return new Promise((resolve) => {
      const done = (outcome: ScaleOutcome) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(outcome);
      };
      const check: Waiter = (decision) => {
        const slots = this.context.pool.slots();
        const count = target();
        if (count === null || (slots.length === count && slots.every((slot) => slot.status === 'online'))) return done({ reached: true });
        if (!this.context.pool.running()) return done({ reached: false, reason: 'the service was stopped' });
        if (decision?.action === 'refused') return done({ reached: false, reason: decision.reason });
        const last = this.lastDecision;
        if (last?.action === 'failed' && last.atMs >= since) done({ reached: false, reason: last.reason });
      };
      const timer = this.context.setTimer(() => {
        const slots = this.context.pool.slots();
        done({ reached: false, reason: `not there within ${Math.round(timeoutMs / 1000)}s: ${slots.length} instances, ${slots.filter((slot) => slot.status === 'online').length} ready` });
      }, timeoutMs);
      this.waiters.add(check);
      check(null);
    });
  }

  snapshot(): AutoscaleSnapshot {
    const { min, max, rule } = this.bounds();
    const slots = this.context.pool.slots();
    return {
      mode: this.pinned !== null ? 'pinned' : rule ? 'auto' : 'fixed',
      current: slots.length,
      ready: slots.filter((slot) => slot.status === 'online').length,
      min,
      max,
      pinned: this.pinned,
      inflight: this.context.pool.load()?.inflight ?? 0,
      threshold: rule ? rule.loadFactor * rule.maxConnsPerInstance : null,
      lastDecision: this.lastDecision,
      coldStarts: { ...this.coldStarts },
      steps: { ...this.steps },
    };
  }

  private evaluateSoon(): void {
    if (this.soon || !this.tick) return;
    this.soon = this.context.setTimer(() => {
      this.soon = null;
      this.evaluate();
    }, 0);
  }

  private evaluate(): void {
    if (this.stepping || !this.context.pool.running()) return;
    const input = this.input();
    let decision = decideScale(input);
    // Free memory is read only when a step up is on the table.
    if (decision.action === 'up') decision = decideScale({ ...input, memory: this.readMemory() });
    if (decision.action === 'up') void this.stepUp(decision, input.waiting);
    else if (decision.action === 'down') void this.stepDown(decision);
    else if (decision.action !== 'hold' && (this.lastDecision?.action !== decision.action || this.lastDecision.count !== decision.count)) {
      // Said once per episode, not every tick.
      this.record(decision.action, decision.count, decision.reason, 'warn');
    }
    for (const waiter of [...this.waiters]) waiter(decision);
  }

  private async stepUp(decision: ScaleDecision & { action: 'up' }, waiting: number): Promise<void> {
    this.stepping = true;
    this.steps.up++;
    this.record('up', decision.count, decision.reason);
    const startedAt = this.context.now();
    try {
      const added = await this.context.pool.add();
      const outcome = added ? await added.ready : null;
      if (!added || !outcome || !this.context.pool.running()) return;
      if (!outcome.ok) {
        this.record('failed', decision.count, `instance ${added.index} did not become ready: ${outcome.reason} (it restarts per its restart policy)`, 'warn');
      } else if (decision.cold) {
        const ms = this.context.now() - startedAt;
        this.coldStarts.count++;
        this.coldStarts.totalMs += ms;
        this.coldStarts.lastMs = ms;
        this.context.logger.info({ service: this.name, instance: added.index, durationMs: ms, waiting }, `cold start: instance ${added.index} ready in ${ms} ms`);
        this.context.changed();
      }
    } catch (error) {
      this.record('failed', decision.count, `could not start an instance: ${(error as Error).message}`, 'error');
    } finally {
      this.endStep(decision.automatic);
    }
  }

  private async stepDown(decision: ScaleDecision & { action: 'down' }): Promise<void> {
    this.stepping = true;
    this.steps.down++;
    this.record('down', decision.count, decision.reason);
    try {
      await this.context.pool.remove(decision.index);
    } catch (error) {
      this.record('failed', decision.count, `could not stop instance ${decision.index}: ${(error as Error).message}`, 'error');
    } finally {
      this.endStep(decision.automatic);
    }
  }

  private endStep(automatic: boolean): void {
    this.stepping = false;
    if (automatic) this.lastStepAt = this.context.now();
    this.evaluateSoon();
  }

  private record(action: ScaleRecord['action'], count: number, reason: string, level: 'info' | 'warn' | 'error' = 'info'): void {
    this.lastDecision = { atMs: this.context.now(), action, count, reason };
    this.context.logger[level]({ service: this.name, scale: action, count }, reason);
    this.context.changed();
  }

  private input(): ScaleInput {
    const { min, max, rule } = this.bounds();
    const load = this.context.pool.load();
    const slots = this.context.pool.slots().map((slot) => {
      const pooled = slot.port === null ? undefined : load?.byPort.get(slot.port);
      return { index: slot.index, status: slot.status, inflight: pooled?.open ?? 0, idleMs: pooled ? pooled.idleMs : null };
    });
    return {
      min,
      max,
      rule,
      pinned: this.pinned,
      slots,
      inflight: load?.inflight ?? 0,
      waiting: load?.waiting ?? 0,
      sinceLastStepMs: this.lastStepAt === null ? null : this.context.now() - this.lastStepAt,
      memory: null,
    };
  }

  /** Autoscaled: its {min, max} and load rule; a plain balanced service: its fixed count (min = max). */
  private bounds(): Pick<ScaleInput, 'min' | 'max' | 'rule'> {
    const definition = this.context.definition();
    const autoscale = definition.autoscale;
    if (!autoscale) return { min: definition.instances, max: definition.instances, rule: null };
    const { maxConnsPerInstance, loadFactor, idleTimeoutMs } = autoscale;
    return { min: autoscale.min, max: autoscale.max, rule: { maxConnsPerInstance, loadFactor, idleTimeoutMs } };
  }

  private readMemory(): MemoryReading | null {
    const machine = this.context.readMemory();
    if (!machine) return null;
    const sizes = this.context.pool.slots().flatMap((slot) => (slot.pid === null ? [] : [this.context.memoryOf(slot.pid) ?? 0]));
    return { ...machine, instanceBytes: Math.max(0, ...sizes) };
  }
}

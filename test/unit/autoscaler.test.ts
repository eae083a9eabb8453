import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import type { PoolLoad } from '../../src/balancer/pool-load.js';
import { Autoscaler, SCALE_TICK_MS, type ScalablePool } from '../../src/supervisor/autoscaler.js';
import type { ReadyOutcome } from '../../src/supervisor/instance.js';
import type { ServiceDefinition, Status } from '../../src/types.js';

const MB = 1024 ** 2;

/** A service's instances and balancer, faked: each added instance is ready when the test says so. */
class FakePool implements ScalablePool {
  slotsList: Array<{ index: number; status: Status; port: number; pid: number; open: number; idleMs: number | null }> = [];
  waiting = 0;
  adds = 0;
  removed: number[] = [];
  isRunning = true;
  private readyNow: Array<(outcome: ReadyOutcome) => void> = [];

  running = () => this.isRunning;
  slots = () => this.slotsList;
  load = (): PoolLoad => ({
    inflight: this.slotsList.reduce((sum, slot) => sum + slot.open, 0),
    waiting: this.waiting,
    byPort: new Map(this.slotsList.map((slot) => [slot.port, { open: slot.open, idleMs: slot.idleMs }])),
  });

  async add() {
    this.adds++;
    const index = this.slotsList.length;
    const slot = { index, status: 'starting' as Status, port: 1000 + index, pid: 100 + index, open: 0, idleMs: null };
    this.slotsList.push(slot);
    const ready = new Promise<ReadyOutcome>((resolve) => this.readyNow.push((outcome) => {
      slot.status = outcome.ok ? 'online' : 'waiting';
      slot.idleMs = outcome.ok ? 0 : null;
      resolve(outcome);
    }));
    return { index, ready };
  }

  async remove(index: number) {
    this.removed.push(index);
    this.slotsList = this.slotsList.filter((slot) => slot.index !== index);
  }

  /** The oldest instance still starting becomes ready (or fails). */
  finishStart(outcome: ReadyOutcome = { ok: true }): void {
    this.readyNow.shift()!(outcome);
  }

  online(count: number, openEach: number): void {
    for (let index = 0; index < count; index++) {
      this.slotsList.push({ index, status: 'online', port: 1000 + index, pid: 100 + index, open: openEach, idleMs: openEach > 0 ? null : 0 });
    }
  }
}

const definition = (autoscale: Partial<NonNullable<ServiceDefinition['autoscale']>> = {}) =>
  ({ name: 'api', instances: 1, autoscale: { min: 1, max: 4, maxConnsPerInstance: 10, loadFactor: 0.5, idleTimeoutMs: 60_000, coldStartTimeoutMs: 60_000, ...autoscale } }) as ServiceDefinition;

function createScaler(pool: FakePool, memory: { availableBytes: number; floorBytes: number } | null, autoscale = {}) {
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line).msg) });
  const scaler = new Autoscaler({
    definition: () => definition(autoscale),
    pool,
    readMemory: () => memory,
    memoryOf: () => 80 * MB,
    logger,
    changed: () => undefined,
    now: Date.now,
    setTimer: (callback, ms) => setTimeout(callback, ms),
  });
  return { scaler, logs };
}

describe('the autoscaler applies one step at a time', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('refuses a scale-up below the memory floor, says so once, and starts it when memory is back', async () => {
    const pool = new FakePool();
    pool.online(1, 20);
    const memory = { availableBytes: 300 * MB, floorBytes: 256 * MB };
    const { scaler, logs } = createScaler(pool, memory);
    scaler.start();
    await vi.advanceTimersByTimeAsync(SCALE_TICK_MS * 8);
    expect(pool.adds).toBe(0);
    expect(scaler.lastDecision).toMatchObject({ action: 'refused', count: 1 });
    expect(scaler.lastDecision!.reason).toBe(
      'not scaling up to 2: free memory 300 MB less ~80.0 MB for one more instance is below the floor of 256 MB (20 in flight over 1 instance > 0.5 × 10)',
    );
    expect(logs.filter((line) => line.startsWith('not scaling up'))).toHaveLength(1);
    memory.availableBytes = 400 * MB;
    await vi.advanceTimersByTimeAsync(SCALE_TICK_MS);
    expect(pool.adds).toBe(1);
    expect(scaler.lastDecision).toMatchObject({ action: 'up', count: 2 });
    scaler.stop();
  });

  it('waits for each new instance to be ready, then the cool-down, before the next step', async () => {
    const pool = new FakePool();
    pool.online(1, 40);
    const { scaler } = createScaler(pool, { availableBytes: 8_000 * MB, floorBytes: 256 * MB });
    scaler.start();
    await vi.advanceTimersByTimeAsync(SCALE_TICK_MS);
    expect(pool.adds).toBe(1);
    await vi.advanceTimersByTimeAsync(SCALE_TICK_MS * 10);
    expect(pool.adds).toBe(1); // still starting: no decision
    pool.finishStart();
    await vi.advanceTimersByTimeAsync(SCALE_TICK_MS);
    expect(pool.adds).toBe(1); // cooling down
    await vi.advanceTimersByTimeAsync(1_000);
    expect(pool.adds).toBe(2);
    expect(scaler.steps).toEqual({ up: 2, down: 0 });
    scaler.stop();
  });

  it('a request waiting at zero starts an instance at once and counts the cold start', async () => {
    const pool = new FakePool();
    const { scaler, logs } = createScaler(pool, { availableBytes: 8_000 * MB, floorBytes: 256 * MB }, { min: 0 });
    scaler.start();
    pool.waiting = 1;
    scaler.demand();
    await vi.advanceTimersByTimeAsync(0);
    expect(pool.adds).toBe(1);
    await vi.advanceTimersByTimeAsync(120);
    pool.waiting = 0;
    pool.finishStart();
    await vi.advanceTimersByTimeAsync(0);
    expect(scaler.coldStarts).toMatchObject({ count: 1, lastMs: 120, totalMs: 120 });
    expect(logs).toContain('cold start: instance 0 ready in 120 ms');
    scaler.stop();
  });

  it('a failed start is recorded, and the instance is left to its restart policy', async () => {
    const pool = new FakePool();
    pool.online(1, 0);
    const { scaler } = createScaler(pool, null, { min: 2 });
    scaler.start();
    await vi.advanceTimersByTimeAsync(SCALE_TICK_MS);
    pool.finishStart({ ok: false, reason: 'exited with code 1' });
    await vi.advanceTimersByTimeAsync(0);
    expect(scaler.lastDecision).toMatchObject({ action: 'failed', reason: 'instance 1 did not become ready: exited with code 1 (it restarts per its restart policy)' });
    expect(pool.removed).toEqual([]);
    scaler.stop();
  });

  it('a pin is reached step by step and settle says so; a refusal ends the wait with its reason', async () => {
    const pool = new FakePool();
    pool.online(1, 0);
    const memory = { availableBytes: 8_000 * MB, floorBytes: 256 * MB };
    const { scaler } = createScaler(pool, memory);
    scaler.start();
    scaler.pin(3);
    const settled = scaler.settle(60_000);
    for (let step = 0; step < 2; step++) {
      await vi.advanceTimersByTimeAsync(0);
      pool.finishStart();
    }
    await vi.advanceTimersByTimeAsync(0);
    await expect(settled).resolves.toEqual({ reached: true });
    expect(pool.slotsList).toHaveLength(3);

    memory.availableBytes = 100 * MB;
    scaler.pin(4);
    const refused = scaler.settle(60_000);
    await vi.advanceTimersByTimeAsync(0);
    await expect(refused).resolves.toMatchObject({ reached: false, reason: expect.stringMatching(/^not scaling up to 4: free memory 100 MB/) });

    scaler.pin(1);
    const down = scaler.settle(60_000);
    await vi.advanceTimersByTimeAsync(SCALE_TICK_MS);
    await expect(down).resolves.toEqual({ reached: true });
    expect(pool.removed).toEqual([2, 1]);
    scaler.stop();
  });

  it('stopping ends a wait and stops looking at the load', async () => {
    const pool = new FakePool();
    pool.online(1, 40);
    const { scaler } = createScaler(pool, null);
    scaler.start();
    scaler.pin(2);
    const waiting = scaler.settle(60_000);
    pool.isRunning = false;
    scaler.stop();
    await expect(waiting).resolves.toEqual({ reached: false, reason: 'the service was stopped' });
    await vi.advanceTimersByTimeAsync(SCALE_TICK_MS * 10);
    expect(pool.adds).toBe(0);
  });
});

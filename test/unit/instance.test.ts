import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { Instance, type InstanceEffects } from '../../src/supervisor/instance.js';
import type { Run } from '../../src/supervisor/run.js';
import type { ExitInfo, ServiceDefinition } from '../../src/types.js';

// Instance's races as unit tests: every effect is a fake the test drives, time is fake.

interface FakeRun extends Run {
  exit(info?: ExitInfo): void;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

function rig(overrides: Partial<ServiceDefinition> = {}) {
  const definition: ServiceDefinition = {
    name: 'unit', script: '/srv/app.js', interpreterArgs: [], args: [], cwd: '/srv', port: 9000, instances: 1, env: {},
    restart: 'always', maxRestarts: 4, restartDelayMs: 100, killTimeoutMs: 1000, ...overrides,
  };
  const runs: FakeRun[] = [];
  let endRun = () => Promise.resolve();
  let launchGate: Promise<void> = Promise.resolve();
  const ready = { resolve: null as ((ok: boolean) => void) | null };
  const notes: string[] = [];
  const effects: InstanceEffects = {
    launch: async () => {
      await launchGate;
      const exited = deferred<ExitInfo>();
      const run: FakeRun = {
        spawnId: `spawn${runs.length}`, pid: 1000 + runs.length, startTime: runs.length, startedAt: Date.now(), adopted: false, exited: exited.promise, logs: [],
        exit: (info = { code: 1, signal: null }) => exited.resolve(info),
      };
      runs.push(run);
      return run;
    },
    stopRun: async (run) => {
      (run as FakeRun).exit({ code: null, signal: 'SIGTERM' });
      return 'graceful';
    },
    endRun: () => endRun(),
    isPortFree: async () => true,
    portHolder: () => '',
    waitForReady: (_port, _health, signal) =>
      new Promise((resolve) => {
        ready.resolve = resolve;
        signal.addEventListener('abort', () => resolve(false));
      }),
    watchHealth: () => new Promise(() => undefined),
    now: () => Date.now(),
    setTimer: (callback, ms) => setTimeout(callback, ms),
  };
  const instance = new Instance(0, 9000, { definition: () => definition, effects, note: (_index, line) => notes.push(line), logger: pino({ level: 'silent' }), changed: () => undefined });
  return {
    instance, runs, notes,
    holdEnd: () => {
      const gate = deferred<void>();
      endRun = () => gate.promise;
      return gate.resolve;
    },
    holdLaunch: () => {
      const gate = deferred<void>();
      launchGate = gate.promise;
      return gate.resolve;
    },
    becomeReady: () => ready.resolve?.(true),
  };
}

/** Lets promise callbacks run (fake timers do not move on their own). */
const settle = async () => {
  for (let turn = 0; turn < 20; turn++) await Promise.resolve();
};

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('Instance', () => {
  it('a stop that lands while a crash is being handled wins: no relaunch', async () => {
    const { instance, runs, holdEnd } = rig();
    instance.start();
    await settle();
    const release = holdEnd();
    runs[0]!.exit();
    await settle();
    expect(instance.status).toBe('waiting');
    const stopped = instance.stop();
    release();
    await stopped;
    await vi.runAllTimersAsync();
    expect(runs).toHaveLength(1);
    expect(instance.status).toBe('stopped');
  });

  it('a stop during the spawn kills what the spawn made, and a later start runs normally', async () => {
    const { instance, runs, holdLaunch } = rig();
    const release = holdLaunch();
    instance.start();
    await settle(); // the launch is inside the spawn now
    const stopped = instance.stop();
    release();
    await stopped;
    expect(runs).toHaveLength(1);
    expect(await runs[0]!.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(instance.pid).toBeNull();
    expect(instance.status).toBe('stopped');
    instance.start();
    await settle();
    expect(instance.pid).toBe(1001);
  });

  it('quick crashes back off 0, 100, 200 ms … and end in errored after maxRestarts', async () => {
    const { instance, runs, notes } = rig();
    instance.start();
    await settle();
    for (let crash = 0; crash < 3; crash++) {
      runs.at(-1)!.exit();
      await settle();
      await vi.runOnlyPendingTimersAsync();
      await settle();
    }
    expect(notes).toEqual(['exited with code 1; restarting', 'exited with code 1; restarting in 100ms', 'exited with code 1; restarting in 200ms']);
    runs.at(-1)!.exit();
    await settle();
    expect(instance.status).toBe('errored');
    expect(instance.reason).toMatch(/^crashed 4 times in a row/);
    expect(instance.restarts).toBe(3);
  });

  it('restarts apictl decides itself count like crashes: they back off and end in errored', async () => {
    const { instance, runs, notes, becomeReady } = rig({ maxRestarts: 3 });
    instance.start();
    await settle();
    becomeReady();
    await settle();
    for (let round = 0; round < 3; round++) {
      await instance.restart('health check GET /health failed 3 times in a row');
      await vi.runOnlyPendingTimersAsync();
      await settle();
      becomeReady();
      await settle();
    }
    expect(notes.filter((note) => note.includes('restarting in'))).toEqual(['health check GET /health failed 3 times in a row; restarting in 100ms']);
    expect(instance.status).toBe('errored');
    expect(runs).toHaveLength(3);
  });

  it('a policy restart never revives an instance being stopped', async () => {
    const { instance, runs, becomeReady } = rig();
    instance.start();
    await settle();
    becomeReady();
    await settle();
    const stopped = instance.stop();
    await instance.restart('memory 400 MB > 300 MB');
    await stopped;
    await vi.runAllTimersAsync();
    expect(runs).toHaveLength(1);
    expect(instance.status).toBe('stopped');
    expect(instance.restarts).toBe(0);
  });

  it('an adopted process that ends goes through the restart policy, its status unknown', async () => {
    const { instance, runs } = rig({ restart: 'on-failure' });
    const exited = deferred<ExitInfo>();
    instance.adopt(
      { spawnId: 'old', pid: 77, startTime: 5, startedAt: Date.now() - 60_000, adopted: true, exited: exited.promise, logs: [] },
      { index: 0, port: 9000, status: 'online', restarts: 2, streak: 0, run: { spawnId: 'old', pid: 77, startTime: 5, startedAt: Date.now() - 60_000 } },
    );
    expect(instance.status).toBe('online');
    expect(instance.pid).toBe(77);
    exited.resolve({ code: null, signal: null, unknown: true });
    await settle();
    expect(runs).toHaveLength(1);
    expect(instance.restarts).toBe(3);
    expect(instance.lastExit).toEqual({ code: null, signal: null, unknown: true });
  });

  it('a handover lets go of the process without stopping it, and nothing it began goes on', async () => {
    const { instance, runs } = rig();
    instance.start();
    await settle();
    const run = instance.release();
    expect(run?.pid).toBe(1000);
    runs[0]!.exit();
    await vi.runAllTimersAsync();
    expect(runs).toHaveLength(1);
  });
});

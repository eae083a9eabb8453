import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Instance } from '../../src/supervisor/instance.js';
import { createInstanceEffects } from '../../src/supervisor/instance-effects.js';
import { Launcher } from '../../src/supervisor/launcher.js';
import { ServiceLogSink } from '../../src/logs/service-log-sink.js';
import { ExitWatcher } from '../../src/process/exit-watch.js';
import { SUPERVISOR_MARKER, findMarkedProcesses } from '../../src/process/supervised-marker.js';
import { tsxLoaderUrl } from '../../src/process/tsx-loader.js';
import type { ServiceDefinition } from '../../src/types.js';
import { FIXTURES, httpGet } from '../helpers/harness.js';

// Instance lifecycles called over each other, as the memory guard, watch,
// health checks and CLI commands do, with real children on real ports.
const work = mkdtempSync(join(tmpdir(), 'apictl-races-'));
const runDir = join(work, 'run');
mkdirSync(runDir);
let nextPort = 22400;
const created: Instance[] = [];
const exits = new ExitWatcher();

afterEach(async () => {
  await Promise.all(created.splice(0).map((instance) => instance.stop()));
  expect(findMarkedProcesses(work)).toEqual([]);
});
afterAll(() => {
  exits.stop();
  for (const { pid } of findMarkedProcesses(work)) process.kill(pid, 'SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

function echoInstance(): Instance {
  const definition: ServiceDefinition = {
    name: 'race',
    script: join(FIXTURES, 'echo-server.js'),
    interpreterArgs: [],
    args: [],
    cwd: work,
    port: nextPort++,
    instances: 1,
    env: {},
    restart: 'always',
    maxRestarts: 10,
    restartDelayMs: 100,
    killTimeoutMs: 5_000,
  };
  const sink = new ServiceLogSink('race', { out: join(work, `${definition.port}.out.log`), err: join(work, `${definition.port}.err.log`) }, { maxBytes: 1 << 20, keep: 1 }, {
    multiInstance: false, stamp: true, maxLineBytes: 1 << 20, emit: () => undefined, hasListeners: () => false, onStall: () => undefined,
  });
  const launcher = new Launcher({
    definition: () => definition,
    sink,
    runDir,
    command: { nodePath: process.execPath, tsxLoaderUrl: tsxLoaderUrl() },
    baseEnv: { PATH: process.env.PATH ?? '', [SUPERVISOR_MARKER]: work },
    readEnvFile: async () => ({}),
    exits,
    fifosChanged: () => undefined,
  });
  const instance = new Instance(0, definition.port, {
    definition: () => definition,
    effects: createInstanceEffects(launcher),
    note: (index, line) => sink.note(index, line),
    logger: pino({ level: 'silent' }),
    changed: () => undefined,
  });
  created.push(instance);
  return instance;
}

const alive = () => findMarkedProcesses(work).map((found) => found.pid);

describe('instance lifecycle races', () => {
  it('a stop during a restart wins: nothing is started after it', async () => {
    const instance = echoInstance();
    instance.start();
    expect(await instance.waitUntilReady(20_000)).toEqual({ ok: true });
    await Promise.all([instance.restart('memory 70 MB > 60 MB'), instance.stop()]);
    expect(instance.status).toBe('stopped');
    expect(instance.pid).toBeNull();
    expect(alive()).toEqual([]);
  });

  it('two restarts at once leave exactly one new process', async () => {
    const instance = echoInstance();
    instance.start();
    expect(await instance.waitUntilReady(20_000)).toEqual({ ok: true });
    const first = instance.pid;
    await Promise.all([instance.restart('file changed: a.js'), instance.restart('file changed: b.js')]);
    expect(await instance.waitUntilReady(20_000)).toEqual({ ok: true });
    expect(instance.restarts).toBe(1);
    expect(instance.pid).not.toBe(first);
    expect(alive()).toEqual([instance.pid]);
    expect(JSON.parse((await httpGet(instance.port!)).body).pid).toBe(instance.pid);
  });

  it('a stop while the process is still being spawned kills what the launch spawned', async () => {
    const instance = echoInstance();
    instance.start();
    await instance.stop();
    expect(instance.status).toBe('stopped');
    expect(alive()).toEqual([]);
    // And a start after it runs normally.
    instance.start();
    expect(await instance.waitUntilReady(20_000)).toEqual({ ok: true });
    expect(alive()).toEqual([instance.pid]);
  });

  it('a policy restart (watch, memory, health) does not revive an instance that is being stopped', async () => {
    const instance = echoInstance();
    instance.start();
    expect(await instance.waitUntilReady(20_000)).toEqual({ ok: true });
    const stopped = instance.stop();
    await instance.restart('file changed: a.js');
    await stopped;
    expect(instance.status).toBe('stopped');
    expect(instance.restarts).toBe(0);
    expect(alive()).toEqual([]);
  });
});

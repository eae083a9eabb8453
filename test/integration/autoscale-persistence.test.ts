import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness } from '../helpers/harness.js';
import { killDaemonHard } from '../helpers/daemon-socket.js';
import { requestLoop } from '../helpers/request-loop.js';
import { expectNever } from '../helpers/wait.js';
import type { AutoscaleSnapshot } from '../../src/types.js';

// save/resurrect keep the definition (min, max), not the momentary count; a
// daemon that dies is replaced by one that adopts every instance (same pids)
// and lets the surplus go once idle; a pinned count outlives the daemon.
const harness = new Harness(27200);
afterAll(() => harness.cleanup());

const PORT = 27200;
const scaleOf = async (name: string): Promise<AutoscaleSnapshot> => (await harness.service(name)).autoscale!;
const pidsOf = async (name: string) => (await harness.service(name)).instances.map((instance) => instance.pid);

/** SIGKILL the daemon; the keeper starts a new one, which adopts what ran. */
const killDaemon = () => killDaemonHard(harness.home, harness.daemonPid()!);

describe('autoscaled services across save, resurrect and daemon restarts', () => {
  it('save keeps {min, max}; after kill and resurrect the count is back at min and follows the load again', async () => {
    const file = join(harness.work, 'elastic.json');
    writeFileSync(file, JSON.stringify({
      services: [{ name: 'elastic', script: join(FIXTURES, 'slow-server.js'), port: PORT, instances: { min: 1, max: 3 }, maxConnsPerInstance: 2, loadFactor: 0.5, idleTimeout: '2s' }],
    }));
    await harness.ok(['start', file]);
    await harness.ok(['scale', 'elastic', '3']);
    await harness.ok(['scale', 'elastic', 'auto']);
    expect(await scaleOf('elastic')).toMatchObject({ current: 3, mode: 'auto' });
    await harness.ok(['save']);
    const dump = JSON.parse(readFileSync(join(harness.home, 'dump.json'), 'utf8'));
    expect(dump.services[0]).toMatchObject({ name: 'elastic', instances: { min: 1, max: 3 }, maxConnsPerInstance: 2, loadFactor: 0.5, idleTimeout: 2000 });

    await harness.ok(['kill']);
    await harness.ok(['resurrect']);
    expect(await scaleOf('elastic')).toMatchObject({ current: 1, ready: 1, min: 1, max: 3, mode: 'auto', steps: { up: 0, down: 0 } });
    const load = requestLoop([PORT], 60_000, { path: '/slow', clients: 6 });
    await harness.waitFor('more than min under load', () => scaleOf('elastic'), (scale) => scale.current > 1, 30_000);
    expect((await load.stop()).failed).toEqual([]);
    await harness.waitFor('back at min', () => scaleOf('elastic'), (scale) => scale.current === 1, 2_000 + 15_000);
  });

  it('a daemon killed with extra instances running: the new one adopts them all (same pids), then lets the idle ones go down to min', async () => {
    await harness.ok(['scale', 'elastic', '3']);
    await harness.ok(['scale', 'elastic', 'auto']);
    const before = await pidsOf('elastic');
    expect(before).toHaveLength(3);
    await killDaemon();
    // Adopted, not restarted: every process of the old daemon serves on. (The balanced port
    // lives in the daemon: it answers again once the new daemon has it, so the trickle starts then.)
    expect(await pidsOf('elastic')).toEqual(before);
    const trickle = requestLoop([PORT], 60_000);
    await trickle.answered(10);
    const back = await harness.waitFor('back at min', () => scaleOf('elastic'), (scale) => scale.current === 1, 2_000 + 15_000);
    expect(back.mode).toBe('auto');
    // The one that stayed is one of the adopted processes: nothing was restarted.
    expect(before).toContain((await pidsOf('elastic'))[0]);
    await trickle.answered(10);
    expect((await trickle.stop()).failed).toEqual([]);
  });

  it('a pinned count outlives a daemon killed and replaced', async () => {
    await harness.ok(['scale', 'elastic', '2']);
    const before = await pidsOf('elastic');
    await killDaemon();
    expect(await scaleOf('elastic')).toMatchObject({ mode: 'pinned', pinned: 2, current: 2 });
    expect(await pidsOf('elastic')).toEqual(before);
    // Idle for longer than idleTimeout: the pin holds.
    await expectNever('the pinned count to drop', () => scaleOf('elastic'), (scale) => scale.current !== 2, 3_000);
    await harness.ok(['scale', 'elastic', 'auto']);
    await harness.waitFor('back at min', () => scaleOf('elastic'), (scale) => scale.current === 1, 2_000 + 15_000);
  });
});

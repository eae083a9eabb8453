import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness, httpGet } from '../helpers/harness.js';
import { isAlive, waitFor } from '../helpers/wait.js';

const harness = new Harness(21700);
afterAll(() => harness.cleanup());

describe('daemon crash recovery', () => {
  it('after kill -9 of the daemon, the next command stops the orphans and brings every service back on its port', async () => {
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'a']);
    await harness.ok(['start', join(FIXTURES, 'ignore-sigterm.js'), '--name', 'b', '--kill-timeout', '300']);
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'c']);
    await harness.ok(['stop', 'c']);
    process.kill((await harness.service('a')).instances[0]!.pid!, 'SIGKILL');
    await harness.waitForStatus('a', 'online');
    const before = await harness.list();
    const oldPids = before.flatMap((service) => service.instances.map((instance) => instance.pid)).filter((pid): pid is number => pid !== null);
    const oldDaemon = harness.daemonPid()!;

    process.kill(oldDaemon, 'SIGKILL');
    await waitFor('old daemon to die', () => isAlive(oldDaemon), (alive) => !alive);

    const after = await harness.list();
    expect(harness.daemonPid()).not.toBe(oldDaemon);
    for (const pid of oldPids) expect(isAlive(pid), `orphan ${pid}`).toBe(false);
    const byName = new Map(after.map((service) => [service.name, service]));
    expect(byName.get('c')?.status).toBe('stopped');
    for (const name of ['a', 'b']) {
      const service = await harness.waitForStatus(name, 'online');
      expect(service.port).toBe(before.find((item) => item.name === name)!.port);
      expect(oldPids).not.toContain(service.instances[0]!.pid);
    }
    expect((await harness.service('a')).restarts).toBe(1);
    const answer = JSON.parse((await httpGet((await harness.service('a')).port!)).body);
    expect(oldPids).not.toContain(answer.pid);
    const state = JSON.parse(readFileSync(join(harness.home, 'state.json'), 'utf8'));
    expect(state.daemonPid).toBe(harness.daemonPid());
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { FIXTURES, Harness, httpGet } from '../helpers/harness.js';

const harness = new Harness(21800);
afterAll(() => harness.cleanup());

describe('instances behind the balancer', () => {
  it('spreads requests over N processes on private ports, each told its own PORT', async () => {
    const { stdout } = await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'pool', '--instances', '3', '--port', '21800']);
    expect(stdout).toMatch(/^pool: started \(online, port 21800, 3 instances\)$/m);
    const service = await harness.service('pool');
    expect(service.instances.map((instance) => instance.status)).toEqual(['online', 'online', 'online']);
    const privatePorts = service.instances.map((instance) => instance.port);
    expect(new Set(privatePorts).size).toBe(3);
    expect(privatePorts).not.toContain(21800);
    const pids = new Set<number>();
    for (let request = 0; request < 9; request++) {
      const body = JSON.parse((await httpGet(21800)).body);
      pids.add(body.pid);
      expect(privatePorts).toContain(Number(body.env.PORT));
    }
    expect(pids.size).toBe(3);
  });

  it('reloads without refusing a single request', async () => {
    const before = new Set((await harness.service('pool')).instances.map((instance) => instance.pid));
    let stop = false;
    let failures = 0;
    let answered = 0;
    const load = (async () => {
      while (!stop) {
        try {
          const answer = await httpGet(21800);
          if (answer.status === 200) answered++;
          else failures++;
        } catch {
          failures++;
        }
      }
    })();
    const { stdout } = await harness.ok(['reload', 'pool']);
    stop = true;
    await load;
    expect(stdout).toMatch(/^pool: reloaded/m);
    expect(failures).toBe(0);
    expect(answered).toBeGreaterThan(0);
    const after = (await harness.service('pool')).instances.map((instance) => instance.pid);
    expect(after.filter((pid) => before.has(pid))).toEqual([]);
  });

  it('keeps serving when an instance dies', async () => {
    const service = await harness.service('pool');
    process.kill(service.instances[0]!.pid!, 'SIGKILL');
    for (let request = 0; request < 20; request++) expect((await httpGet(21800)).status).toBe(200);
  });
});

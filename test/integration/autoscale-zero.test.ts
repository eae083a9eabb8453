import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness } from '../helpers/harness.js';
import { fetchRaw } from '../helpers/http-client.js';
import { parseStrictExposition } from '../helpers/exposition.js';
import type { AutoscaleSnapshot } from '../../src/types.js';

// SPEC §10: `min: 0` keeps the port open with no process; the first request
// waits while an instance starts (bounded by coldStartTimeout, then 503 with
// Retry-After). And no instance starts while free memory is below the floor.
const harness = new Harness(27100);
const scarce = new Harness(27150);
afterAll(() => Promise.all([harness.cleanup(), scarce.cleanup()]));

const PORT = 27100;
const scaleOf = async (on: Harness, name: string): Promise<AutoscaleSnapshot> => (await on.service(name)).autoscale!;
const meminfo = (availableMb: number) => `MemTotal:       25165824 kB\nMemFree:        ${availableMb * 1024} kB\nMemAvailable:   ${availableMb * 1024} kB\n`;

function servicesFile(on: Harness, services: Array<Record<string, unknown>>): string {
  const file = join(on.work, `services-${services.map((service) => service.name).join('-')}.json`);
  writeFileSync(file, JSON.stringify({ services }));
  return file;
}

describe('scale to zero', () => {
  it('the port is open with no process, and the first request is answered after a cold start', async () => {
    const file = servicesFile(harness, [{ name: 'zero', script: join(FIXTURES, 'slow-server.js'), port: PORT, instances: { min: 0, max: 2 }, idleTimeout: '1s' }]);
    const { stdout } = await harness.ok(['start', file]);
    expect(stdout).toMatch(/^zero: started \(online, port 27100, 0 instances, 0\.\.2 by load\)$/m);
    const idle = await harness.service('zero');
    expect(idle.status).toBe('online');
    expect(idle.instances).toEqual([]);
    expect(idle.autoscale).toMatchObject({ mode: 'auto', current: 0, min: 0, max: 2, coldStarts: { count: 0 } });

    const first = await fetchRaw(PORT, '/');
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toMatchObject({ instance: 0 });
    const scale = await scaleOf(harness, 'zero');
    expect(scale).toMatchObject({ current: 1, coldStarts: { count: 1, timeouts: 0 }, lastDecision: { action: 'up', reason: 'scaled up to 1: cold start, 1 request waiting, no instance ready' } });
    expect(scale.coldStarts.lastMs).toBeGreaterThan(0);
    expect(readFileSync(join(harness.home, 'daemon.log'), 'utf8')).toMatch(/"durationMs":\d+,"waiting":1,"msg":"cold start: instance 0 ready in \d+ ms"/);
  });

  it('idle, it goes back to zero; requests that arrive together then share one cold start', async () => {
    const zero = await harness.waitFor('back to zero', () => scaleOf(harness, 'zero'), (scale) => scale.current === 0, 1_000 + 10_000);
    expect(zero.lastDecision?.reason).toMatch(/^scaled down to 0: instance 0 idle for \ds \(idleTimeout 1s\)$/);
    const answers = await Promise.all(Array.from({ length: 5 }, () => fetchRaw(PORT, '/slow?ms=200')));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    const scale = await scaleOf(harness, 'zero');
    expect(scale.coldStarts.count).toBe(2);
    const { stdout: shown } = await harness.ok(['show', 'zero']);
    expect(shown).toMatch(/^cold starts {2}2, last \d+ ms, average \d+ ms$/m);
    const families = parseStrictExposition((await harness.ok(['metrics'])).stdout);
    const sample = (name: string) => families.find((family) => family.name === name)?.samples.find((item) => item.labels.service === 'zero')?.value;
    expect(sample('apictl_autoscale_cold_starts_total')).toBe(2);
    expect(sample('apictl_autoscale_cold_start_seconds_total')).toBeCloseTo(scale.coldStarts.totalMs / 1000, 3);
    expect(sample('apictl_autoscale_min_instances')).toBe(0);
  });

  it('a cold start that takes longer than coldStartTimeout answers 503 with Retry-After, and says so', async () => {
    // worker.sh never listens on its PORT: it never becomes ready.
    const file = servicesFile(harness, [{ name: 'never', script: join(FIXTURES, 'worker.sh'), port: 27110, instances: { min: 0, max: 1 }, coldStartTimeout: '1s' }]);
    await harness.ok(['start', file]);
    const answer = await fetchRaw(27110, '/');
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.body).toBe('no instance became ready within 1000 ms (cold start)\n');
    const scale = await harness.waitFor('the failed start recorded', () => scaleOf(harness, 'never'), (item) => item.lastDecision?.action === 'failed');
    expect(scale.coldStarts).toMatchObject({ count: 0, timeouts: 1 });
    expect(scale.lastDecision?.reason).toMatch(/^instance 0 did not become ready: not ready within 1s \(nothing accepted connections on port \d+\) \(it restarts per its restart policy\)$/);
    await harness.ok(['delete', 'never']);
  });

  it('a stopped scale-to-zero service refuses connections; restarted, it is at zero with its port open', async () => {
    await harness.ok(['stop', 'zero']);
    await expect(fetchRaw(PORT, '/')).rejects.toThrow(/ECONNREFUSED/);
    const scale = await harness.run(['scale', 'zero', '1']);
    expect(scale.code).toBe(1);
    expect(scale.stderr).toMatch(/^apictl: zero is stopped$/m);
    await harness.ok(['restart', 'zero']);
    expect((await harness.service('zero')).instances).toEqual([]);
    expect((await fetchRaw(PORT, '/')).status).toBe(200);
  });
});

describe('autoscaling from the command line', () => {
  it('-i 0-2 starts a scale-to-zero service, -i 1..3 one autoscaled from 1', async () => {
    const { stdout } = await harness.ok(['start', join(FIXTURES, 'slow-server.js'), '-n', 'flagged', '-p', '27120', '-i', '0-2']);
    expect(stdout).toMatch(/^flagged: started \(online, port 27120, 0 instances, 0\.\.2 by load\)$/m);
    expect((await harness.service('flagged')).definition.autoscale).toMatchObject({ min: 0, max: 2, maxConnsPerInstance: 20, loadFactor: 0.5 });
    await harness.ok(['start', join(FIXTURES, 'slow-server.js'), '-n', 'dotted', '-p', '27121', '-i', '1..3']);
    expect(await scaleOf(harness, 'dotted')).toMatchObject({ current: 1, min: 1, max: 3, mode: 'auto' });
    const wrong = await harness.run(['start', join(FIXTURES, 'slow-server.js'), '-n', 'wrong', '-p', '27122', '-i', '3-1']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/instances: min must not be above max, got \{"min":3,"max":1\}/);
    await harness.ok(['delete', 'flagged']);
    await harness.ok(['delete', 'dotted']);
  });
});

describe('the machine memory floor', () => {
  it('refuses a scale-up while free memory is below the floor, says why, and starts one once memory is back', async () => {
    // MemTotal 24 GiB: the floor is 5 % of it, 1.2 GB; the test makes MemAvailable 100 MB.
    const fake = join(scarce.work, 'meminfo');
    writeFileSync(fake, meminfo(100));
    const file = servicesFile(scarce, [{ name: 'lean', script: join(FIXTURES, 'slow-server.js'), port: 27150, instances: { min: 0, max: 2 }, coldStartTimeout: '1500ms' }]);
    await scarce.ok(['start', file], { env: { APICTL_TEST_MEMINFO: fake } });

    const refused = await fetchRaw(27150, '/');
    expect(refused.status).toBe(503);
    const scale = await scaleOf(scarce, 'lean');
    expect(scale.current).toBe(0);
    expect(scale.lastDecision).toMatchObject({
      action: 'refused',
      reason: 'not scaling up to 1: free memory 100 MB is below the floor of 1.2 GB (cold start, 1 request waiting, no instance ready)',
    });
    expect(readFileSync(join(scarce.home, 'daemon.log'), 'utf8')).toMatch(/"scale":"refused","count":0,"msg":"not scaling up to 1: free memory 100 MB/);
    const pin = await scarce.run(['scale', 'lean', '2']);
    expect(pin.code).toBe(1);
    expect(pin.stderr).toMatch(/^apictl: lean: pinned at 2, but not scaling up to 1: free memory 100 MB is below the floor of 1\.2 GB \(pinned at 2 by `apictl scale`\)$/m);
    await scarce.ok(['scale', 'lean', 'auto']);

    writeFileSync(fake, meminfo(8_000));
    expect((await fetchRaw(27150, '/')).status).toBe(200);
    expect(await scaleOf(scarce, 'lean')).toMatchObject({ current: 1, coldStarts: { count: 1 } });
  });
});

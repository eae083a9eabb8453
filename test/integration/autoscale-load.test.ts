import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness, httpGet } from '../helpers/harness.js';
import { requestLoop } from '../helpers/request-loop.js';
import { expectNever } from '../helpers/wait.js';
import { parseStrictExposition } from '../helpers/exposition.js';
import type { AutoscaleSnapshot } from '../../src/types.js';

// SPEC §10: instances {min, max} follow the load (in flight per ready
// instance over loadFactor × maxConnsPerInstance), idle ones go down to min,
// and `apictl scale` pins a count until `scale auto`.
const harness = new Harness(27000);
afterAll(() => harness.cleanup());

const PORT = 27000;
const scaleOf = async (name: string): Promise<AutoscaleSnapshot> => (await harness.service(name)).autoscale!;
const daemonLog = () => readFileSync(join(harness.home, 'daemon.log'), 'utf8');

describe('autoscaling by load', () => {
  it('concurrent load raises the count above 1 and never above max, with no failed request', async () => {
    const file = join(harness.work, 'pool.json');
    // Threshold 0.5 × 4 = 2 in flight per instance: 12 clients need 6, max is 3.
    writeFileSync(file, JSON.stringify({
      services: [{ name: 'pool', script: join(FIXTURES, 'slow-server.js'), port: PORT, instances: { min: 1, max: 3 }, maxConnsPerInstance: 4, loadFactor: 0.5, idleTimeout: '2s' }],
    }));
    const { stdout } = await harness.ok(['start', file]);
    expect(stdout).toMatch(/^pool: started \(online, port 27000, 1 instance, 1\.\.3 by load\)$/m);
    expect(await scaleOf('pool')).toMatchObject({ mode: 'auto', current: 1, ready: 1, min: 1, max: 3, threshold: 2, lastDecision: null });

    const load = requestLoop([PORT], 60_000, { path: '/slow', clients: 12 });
    const scaled = await harness.waitFor('3 instances ready', () => scaleOf('pool'), (scale) => scale.current === 3 && scale.ready === 3, 30_000);
    expect(scaled.lastDecision?.reason).toMatch(/^at max 3: \d+ in flight over 3 instances > 0\.5 × 4$|^scaled up to 3: \d+ in flight over 2 instances > 0\.5 × 4$/);
    // Still overloaded (12 in flight over 3 > 2): it stays at max, it does not go past it.
    await expectNever('more than 3 instances', () => scaleOf('pool'), (scale) => scale.current > 3, 3_000);
    await load.answered(12);
    const { failed, ok } = await load.stop();
    expect(failed).toEqual([]);
    expect(ok).toBeGreaterThan(12);

    const log = daemonLog();
    expect(log).toMatch(/"msg":"scaled up to 2: \d+ in flight over 1 instance > 0\.5 × 4"/);
    expect(log).toMatch(/"msg":"scaled up to 3: \d+ in flight over 2 instances > 0\.5 × 4"/);
    expect(log).not.toMatch(/scaled up to 4/);
    const service = await harness.service('pool');
    expect(new Set(service.instances.map((instance) => instance.pid)).size).toBe(3);
    // Every instance served: the balancer spread the load over the new ones.
    expect(service.instances.every((instance) => (instance.requests?.total ?? 0) > 0)).toBe(true);
    // With max > 1 every line says its instance, the first instance's too.
    const out = readFileSync(join(harness.home, 'logs', 'pool.out.log'), 'utf8');
    for (const index of [0, 1, 2]) expect(out).toMatch(new RegExp(`^\\S+ \\[${index}\\] slow-server ${index} on \\d+$`, 'm'));
  });

  it('idle instances go back to min within idleTimeout plus margin while a trickle keeps succeeding', async () => {
    const trickle = requestLoop([PORT], 60_000);
    const back = await harness.waitFor('back to 1 instance', () => scaleOf('pool'), (scale) => scale.current === 1, 2_000 + 10_000);
    expect(back.lastDecision?.reason).toMatch(/^scaled down to 1: instance \d idle for \ds \(idleTimeout 2s\)$/);
    await trickle.answered(20);
    // Never below min, trickle or not.
    await expectNever('fewer than min', () => scaleOf('pool'), (scale) => scale.current < 1, 3_000);
    const { failed } = await trickle.stop();
    expect(failed).toEqual([]);
    expect(back.steps).toEqual({ up: 2, down: 2 });
  });

  it('list, show and metrics give the count, min, max and the last decision with its reason', async () => {
    const { stdout: table } = await harness.ok(['list']);
    expect(table).toMatch(/^pool: 1 instance \(1\.\.3, auto\); \d+s ago: scaled down to 1: instance \d idle for \ds \(idleTimeout 2s\)$/m);
    const { stdout: shown } = await harness.ok(['show', 'pool']);
    expect(shown).toMatch(/^instances {4}\{min: 1, max: 3\} \(autoscaled\)$/m);
    expect(shown).toMatch(/^scale {8}1 instance \(1\.\.3, auto\), \d+ in flight$/m);
    expect(shown).toMatch(/^scale rule {3}up above 2 in flight per instance \(loadFactor 0\.5 × maxConnsPerInstance 4\), down after 2s idle, cold start within 1m$/m);
    expect(shown).toMatch(/^last scale {3}\d+s ago: scaled down to 1: /m);
    const families = parseStrictExposition((await harness.ok(['metrics'])).stdout);
    const value = (name: string, labels: Record<string, string> = {}) =>
      families.find((family) => family.name === name)?.samples.find((sample) => Object.entries({ service: 'pool', ...labels }).every(([key, text]) => sample.labels[key] === text))?.value;
    expect(value('apictl_autoscale_instances')).toBe(1);
    expect(value('apictl_autoscale_min_instances')).toBe(1);
    expect(value('apictl_autoscale_max_instances')).toBe(3);
    expect(value('apictl_autoscale_steps_total', { direction: 'up' })).toBe(2);
    expect(value('apictl_autoscale_steps_total', { direction: 'down' })).toBe(2);
  });
});

describe('apictl scale', () => {
  it('scale N pins a count (more: started and in the pool; fewer: drained and stopped) until scale auto', async () => {
    const { stdout } = await harness.ok(['scale', 'pool', '3']);
    expect(stdout).toBe('pool: 3 instances (1..3, pinned at 3); `apictl scale pool auto` undoes it\n');
    const pinned = await harness.service('pool');
    expect(pinned.instances.map((instance) => instance.status)).toEqual(['online', 'online', 'online']);
    expect(pinned.autoscale).toMatchObject({ mode: 'pinned', pinned: 3, current: 3, ready: 3 });
    // New instances take traffic at once: three slow requests in parallel land on three instances.
    const answers = await Promise.all([1, 2, 3].map(() => httpGet(PORT, '/slow', 5_000)));
    expect(new Set(answers.map((answer) => JSON.parse(answer.body).pid)).size).toBe(3);
    // Idle for longer than idleTimeout: a pin holds.
    await expectNever('a pinned count to drop', () => scaleOf('pool'), (scale) => scale.current !== 3, 4_000);

    const slow = httpGet(PORT, '/slow?ms=1500', 5_000);
    await harness.waitFor('the slow request in flight', () => scaleOf('pool'), (scale) => scale.inflight === 1);
    await harness.ok(['scale', 'pool', '1']);
    // Drained, not cut: the request in flight when the count went down was answered.
    expect((await slow).status).toBe(200);
    expect(await scaleOf('pool')).toMatchObject({ mode: 'pinned', pinned: 1, current: 1 });

    const { stdout: auto } = await harness.ok(['scale', 'pool', 'auto']);
    expect(auto).toBe('pool: following the load again: 1 instance (1..3, auto)\n');
    expect((await scaleOf('pool')).mode).toBe('auto');
    const load = requestLoop([PORT], 60_000, { path: '/slow', clients: 8 });
    await harness.waitFor('automatic scaling again', () => scaleOf('pool'), (scale) => scale.current > 1, 30_000);
    expect((await load.stop()).failed).toEqual([]);
  });

  it('refuses a count outside min..max, a word, and a service whose one process owns its port', async () => {
    const outside = await harness.run(['scale', 'pool', '5']);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/^apictl: pool runs 1 to 3 instances: 5 is outside that$/m);
    const all = await harness.run(['scale', 'all', '2']);
    expect(all.code).toBe(1);
    expect(all.stderr).toMatch(/^apictl: scale takes one service name, not "all"$/m);
    const word = await harness.run(['scale', 'pool', 'many']);
    expect(word.code).toBe(1);
    expect(word.stderr).toMatch(/scale: expected a number of instances or "auto", got "many"/);
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'single', '--port', '27010']);
    const single = await harness.run(['scale', 'single', '2']);
    expect(single.code).toBe(1);
    expect(single.stderr).toMatch(/^apictl: single runs one process on port 27010 itself \(no balancer in front\), so its count cannot change live$/m);
    expect(single.stderr).toMatch(/instances: \{"min": 1, "max": 4\}/);
    await harness.ok(['delete', 'single']);
  });

  it('a plain balanced service (instances: 2) scales live too, and auto returns it to its count', async () => {
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'plain', '--port', '27020', '--instances', '2']);
    const { stdout } = await harness.ok(['scale', 'plain', '4']);
    expect(stdout).toBe('plain: 4 instances (pinned at 4, defined 2); `apictl scale plain auto` undoes it\n');
    expect((await harness.service('plain')).instances.map((instance) => instance.index)).toEqual([0, 1, 2, 3]);
    const { stdout: back } = await harness.ok(['scale', 'plain', 'auto']);
    expect(back).toBe('plain: back to its defined count: 2 instances (fixed)\n');
    expect((await harness.service('plain')).autoscale).toMatchObject({ mode: 'fixed', current: 2, lastDecision: { action: 'down', reason: 'scaled down to 2: back to its 2 instances' } });
    await harness.ok(['delete', 'plain']);
  });
});

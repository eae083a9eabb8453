import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness } from '../helpers/harness.js';
import { fetchRaw, openStream, openWebSocket } from '../helpers/http-client.js';

const harness = new Harness(26200);
afterAll(() => harness.cleanup());

const PORT = 26201;

describe('drain deadline (reload, stop) with long-lived clients', () => {
  it('reload waits for in-flight requests, closes SSE and WebSocket clients at drainTimeout, and finishes', async () => {
    const file = join(harness.work, 'streams.json');
    writeFileSync(file, JSON.stringify({ services: [{ name: 'streams', script: join(FIXTURES, 'traffic-server.js'), port: PORT, instances: 2, drainTimeout: '2s' }] }));
    await harness.ok(['start', file]);
    const before = (await harness.service('streams')).instances.map((instance) => instance.pid);
    const sse = await Promise.all([openStream(PORT, '/sse'), openStream(PORT, '/sse')]);
    const ws = await openWebSocket(PORT);
    const slow = fetchRaw(PORT, '/slow?ms=1000');
    await harness.waitFor('the slow request in flight', () => harness.service('streams'), (service) => (service.requests?.inflight ?? 0) >= 3);
    const { stdout } = await harness.ok(['reload', 'streams']);
    expect(stdout).toMatch(/^streams: reloaded/m);
    // In flight when the reload began, answered in full: the drain waited for it.
    expect((await slow).status).toBe(200);
    await Promise.all([...sse.map((stream) => stream.ended), ws.closed]);
    const after = (await harness.service('streams')).instances.map((instance) => instance.pid);
    expect(after.filter((pid) => before.includes(pid))).toEqual([]);
    expect((await fetchRaw(PORT, '/')).status).toBe(200);
  });

  it('a stop queued behind a reload with open streams runs too, and closes them', async () => {
    const sse = await Promise.all([openStream(PORT, '/sse'), openStream(PORT, '/sse')]);
    const ws = await openWebSocket(PORT);
    const before = new Set((await harness.service('streams')).instances.map((instance) => instance.pid));
    const reloading = harness.run(['reload', 'streams']);
    // The reload is under way (a new process is up, the old one draining its streams): the stop queues behind it.
    await harness.waitFor('a new instance', () => harness.service('streams'), (service) => service.instances.some((instance) => instance.pid !== null && !before.has(instance.pid)));
    const stop = await harness.run(['stop', 'streams']);
    const reload = await reloading;
    expect(reload.code).toBe(0);
    expect(stop.code).toBe(0);
    await Promise.all([...sse.map((stream) => stream.ended), ws.closed]);
    expect((await harness.service('streams')).status).toBe('stopped');
    await expect(fetchRaw(PORT, '/')).rejects.toThrow(/ECONNREFUSED/);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness } from '../helpers/harness.js';
import { fetchRaw, openRawSocket } from '../helpers/http-client.js';

const harness = new Harness(26100);
afterAll(() => harness.cleanup());

function startFile(name: string, content: unknown) {
  const file = join(harness.work, name);
  writeFileSync(file, JSON.stringify(content));
  return harness.ok(['start', file]);
}

const SERVER = join(FIXTURES, 'traffic-server.js');

describe('timeouts and stalled clients', () => {
  it('closes slowloris sockets after the header timeout (408), while others are served', async () => {
    await startFile('guarded.json', {
      services: [{ name: 'guarded', script: SERVER, port: 26101, instances: 2, headerTimeout: '1s', upstreamTimeout: '1s' }],
    });
    const slow = await Promise.all(Array.from({ length: 20 }, () => openRawSocket(26101, 'GET / HTTP/1.1\r\nHost: x\r\nX-Never: ends')));
    const answers = slow.map(({ socket }) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      return () => text;
    });
    expect((await fetchRaw(26101, '/')).status).toBe(200);
    await Promise.all(slow.map(({ closed }) => closed));
    for (const answer of answers) expect(answer()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('serves 20 normal requests while 300 clients read nothing of a large answer, then drops the stalled ones', async () => {
    await startFile('stalls.json', { services: [{ name: 'stalls', script: SERVER, port: 26105, instances: 2, sendTimeout: '10s' }] });
    const stalled = await Promise.all(Array.from({ length: 300 }, () => openRawSocket(26105, 'GET /big HTTP/1.1\r\nHost: x\r\n\r\n')));
    for (const { socket } of stalled) socket.pause();
    // Every stalled request is in flight at an instance (their answers fill the socket buffers).
    await harness.waitFor('300 requests in flight', () => harness.service('stalls'), (service) => (service.requests?.inflight ?? 0) >= 300);
    const normal = await Promise.all(Array.from({ length: 20 }, (_, index) => fetchRaw(26105, `/?n=${index}`)));
    expect(normal.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    // sendTimeout: a client that does not read loses its request, and its instance slot.
    const after = await harness.waitFor('nothing in flight', () => harness.service('stalls'), (service) => service.requests?.inflight === 0);
    expect(after.requests!.total).toBe(320);
    expect(after.requests!.byClass['2xx']).toBe(320);
    // Their connections were closed: reading what was buffered, each reaches the end before the 5 MB did.
    let bytes = 0;
    for (const { socket } of stalled) {
      socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
      socket.resume();
    }
    await Promise.all(stalled.map(({ closed }) => closed));
    expect(bytes).toBeLessThan(300 * 80 * 64 * 1024);
  });

  it('answers 504 when an instance does not answer within upstreamTimeout', async () => {
    const answer = await fetchRaw(26101, '/hang');
    expect(answer.status).toBe(504);
    expect(answer.body).toContain('upstream timeout');
    expect(answer.headers['x-request-id']).toBeTruthy();
  });

  it('queues 64 concurrent clients per instance under maxInflight: 1 without a 503', async () => {
    await startFile('queued.json', { services: [{ name: 'queued', script: SERVER, port: 26110, instances: 2, maxInflight: 1 }] });
    const answers = await Promise.all(Array.from({ length: 128 }, (_, index) => fetchRaw(26110, `/slow?ms=5&n=${index}`, [], 60_000)));
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    const service = await harness.service('queued');
    expect(service.requests!.byClass['2xx']).toBe(128);
  });

  it('answers 503 to a request that waited queueTimeout for a free instance', async () => {
    await startFile('impatient.json', { services: [{ name: 'impatient', script: SERVER, port: 26120, maxInflight: 1, queueTimeout: '300ms' }] });
    const busy = fetchRaw(26120, '/slow?ms=4000');
    await harness.waitFor('one request in flight', () => harness.service('impatient'), (service) => service.requests?.inflight === 1);
    const waited = await fetchRaw(26120, '/');
    expect(waited.status).toBe(503);
    expect(waited.body).toContain('no instance was free within 300 ms');
    expect((await busy).status).toBe(200);
  });
});

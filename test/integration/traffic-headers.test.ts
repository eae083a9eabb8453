import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness } from '../helpers/harness.js';
import { fetchRaw, openWebSocket } from '../helpers/http-client.js';

const harness = new Harness(26000);
afterAll(() => harness.cleanup());

function startFile(name: string, content: unknown) {
  const file = join(harness.work, name);
  writeFileSync(file, JSON.stringify(content));
  return harness.ok(['start', file]);
}

const SPOOF = ['X-Forwarded-For', '6.6.6.6', 'X-Real-IP', '6.6.6.6', 'Forwarded', 'for=6.6.6.6', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'evil.example'];

describe('forwarded and hop-by-hop headers, as the instances receive them', () => {
  it('a Node instance behind the balancer sees the real client, not what the client claims', async () => {
    await startFile('echo.json', { services: [{ name: 'echo', script: join(FIXTURES, 'traffic-server.js'), port: 26001, instances: 2 }] });
    const answer = await fetchRaw(26001, '/headers', [...SPOOF, 'Host', 'api.example:26001']);
    const seen = JSON.parse(answer.body).headers;
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-real-ip']).toBeUndefined();
    expect(seen.forwarded).toBeUndefined();
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['x-forwarded-host']).toBe('api.example:26001');
    expect(seen.host).toBe('api.example:26001');
    expect(seen['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.headers['x-request-id']).toBe(seen['x-request-id']);
  });

  it('keeps a request id the client sent and returns it', async () => {
    const answer = await fetchRaw(26001, '/headers', ['X-Request-Id', 'trace-42']);
    expect(JSON.parse(answer.body).headers['x-request-id']).toBe('trace-42');
    expect(answer.headers['x-request-id']).toBe('trace-42');
  });

  it('drops hop-by-hop headers both ways, including those Connection names', async () => {
    const answer = await fetchRaw(26001, '/headers', [
      'Connection', 'keep-alive, X-Client-Hop', 'X-Client-Hop', 'secret', 'TE', 'trailers', 'Proxy-Authorization', 'Basic c2VjcmV0', 'Proxy-Connection', 'keep-alive', 'X-Kept', 'yes',
    ]);
    const seen = JSON.parse(answer.body).headers;
    for (const name of ['x-client-hop', 'te', 'proxy-authorization', 'proxy-connection']) expect(seen[name], name).toBeUndefined();
    expect(seen['x-kept']).toBe('yes');
    expect(answer.headers['x-answer-kept']).toBe('yes');
    expect(answer.headers['x-answer-hop']).toBeUndefined();
    expect(answer.headers['proxy-authenticate']).toBeUndefined();
    expect(String(answer.headers.connection)).not.toContain('x-answer-hop');
  });

  it('believes X-Forwarded-* only from a proxy listed in trustProxy', async () => {
    await startFile('trusting.json', { services: [{ name: 'trusting', script: join(FIXTURES, 'traffic-server.js'), port: 26002, instances: 2, trustProxy: ['loopback'] }] });
    const seen = JSON.parse((await fetchRaw(26002, '/headers', SPOOF)).body).headers;
    expect(seen['x-forwarded-for']).toBe('6.6.6.6, 127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('https');
    expect(seen['x-forwarded-host']).toBe('evil.example');
    expect(seen['x-real-ip']).toBe('6.6.6.6');
  });

  it('a WebSocket upgrade goes through with the same forwarded headers', async () => {
    const ws = await openWebSocket(26001, '/ws', { 'x-forwarded-for': '6.6.6.6' });
    expect(ws.headers['x-seen-forwarded-for']).toBe('127.0.0.1');
    ws.socket.destroy();
  });

  it('an R Plumber API behind routes with strip sees the same, its prefix stripped', async () => {
    await startFile('routed.json', {
      services: [
        { name: 'rapi', script: join(FIXTURES, 'plumber-traffic.R'), port: 26010, health: '/health', accessLog: true },
        { name: 'node', script: join(FIXTURES, 'traffic-server.js'), port: 26011 },
      ],
      routes: { port: 26012, paths: { '/r': 'rapi', '/n': 'node' }, strip: true },
    });
    const answer = await fetchRaw(26012, '/r/headers?x=1', [...SPOOF, 'X-Request-Id', 'r-trace']);
    expect(answer.status).toBe(200);
    const seen = JSON.parse(answer.body);
    expect(seen.forwarded_for).toEqual(['127.0.0.1']);
    expect(seen.forwarded_proto).toEqual(['http']);
    expect(seen.real_ip).toEqual(['']);
    expect(seen.request_id).toEqual(['r-trace']);
    expect(seen.path).toEqual(['/headers']);
    const node = JSON.parse((await fetchRaw(26012, '/n/headers')).body);
    expect(node.url).toBe('/headers');
    expect(node.headers['x-forwarded-prefix']).toBe('/n');
    expect((await fetchRaw(26012, '/elsewhere')).status).toBe(404);
    // Counted per route, for the single-instance service as for the balanced one.
    expect((await harness.service('node')).requests!.byRoute['/n']!.total).toBe(1);
    expect((await harness.service('rapi')).requests!.byRoute['/r']!.byClass['2xx']).toBe(1);
    // accessLog: true puts the balancer in front of the single R instance, so its own port logs too.
    await fetchRaw(26010, '/fail', ['X-Request-Id', 'r-fail']);
    const log = await harness.waitFor(
      'two access lines in the R service log',
      async () => readFileSync(join(harness.home, 'logs/rapi.out.log'), 'utf8'),
      (text) => text.includes('id=r-fail'),
    );
    expect(log).toMatch(/ GET \/r\/headers\?x=1 200 \d+\.\d\dms instance=0 id=r-trace$/m);
    expect(log).toMatch(/ GET \/fail 500 \d+\.\d\dms instance=0 id=r-fail$/m);
  });
});

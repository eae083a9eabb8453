import { afterAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
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

  it('passes request bodies, large streamed answers and headers through, minus hop-by-hop ones', async () => {
    await harness.ok(['start', join(FIXTURES, 'body-server.js'), '--name', 'bodies', '--instances', '2', '--port', '21810']);
    const body = randomBytes(1024 * 1024);
    const posted = await exchange(21810, 'POST', '/upload', body, { connection: 'close', 'content-type': 'application/octet-stream' });
    expect(posted.status).toBe(200);
    expect(posted.headers['x-upstream']).toBe('body-server');
    expect(JSON.parse(posted.body.toString())).toEqual({
      method: 'POST',
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
      // The client's "Connection: close" is for its hop only: the upstream pool stays keep-alive.
      connection: 'keep-alive',
    });
    const big = await exchange(21810, 'GET', '/big');
    expect(big.body.length).toBe(80 * 64 * 1024);
    expect(big.body.every((byte) => byte === 97)).toBe(true);
    await harness.ok(['delete', 'bodies']);
  });
});

function exchange(port: number, method: string, path: string, body?: Buffer, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

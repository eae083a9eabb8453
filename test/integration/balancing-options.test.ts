import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { FIXTURES, Harness, httpGet } from '../helpers/harness.js';

const harness = new Harness(22300);
afterAll(() => harness.cleanup());

function startFile(name: string, content: unknown) {
  const file = join(harness.work, name);
  writeFileSync(file, JSON.stringify(content));
  return harness.ok(['start', file]);
}

function get(port: number, path: string, cookie?: string): Promise<{ status: number; body: string; setCookie?: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: cookie ? { cookie } : {} }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, setCookie: res.headers['set-cookie'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('routes, maxInflight, sticky, logDate, cronRestart', () => {
  it('routes one port to several services by path prefix', async () => {
    const { stdout } = await startFile('routed.json', {
      services: [
        { name: 'api', script: join(FIXTURES, 'echo-server.js'), port: 22301 },
        { name: 'web', script: join(FIXTURES, 'echo-server.js'), port: 22302 },
      ],
      routes: { port: 22300, paths: { '/api': 'api', '/': 'web' } },
    });
    expect(stdout).toMatch(/^api: started/m);
    const api = JSON.parse((await httpGet(22300, '/api/users')).body);
    const web = JSON.parse((await httpGet(22300, '/apiary')).body);
    expect(api.env.APICTL_NAME).toBe('api');
    expect(web.env.APICTL_NAME).toBe('web');
    const table = await harness.ok(['list']);
    expect(table.stdout).toContain('routes on port 22300: /api → api, / → web');
    await harness.ok(['stop', 'api']);
    expect((await httpGet(22300, '/api')).status).toBe(503);
    await harness.ok(['save']);
    expect(JSON.parse(readFileSync(join(harness.home, 'dump.json'), 'utf8')).routes).toEqual([{ port: 22300, paths: { '/api': 'api', '/': 'web' } }]);
    await harness.ok(['delete', 'api']);
    await harness.ok(['delete', 'web']);
    await expect(httpGet(22300, '/')).rejects.toThrow();
  });

  it('refuses routes naming a service the file does not define, starting nothing', async () => {
    const file = join(harness.work, 'bad-routes.json');
    writeFileSync(file, JSON.stringify({ services: [{ name: 'lonely', script: join(FIXTURES, 'echo-server.js') }], routes: { port: 22310, paths: { '/x': 'ghost' } } }));
    const result = await harness.run(['start', file]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(`apictl: ${file}: routes.paths["/x"]: no service named "ghost" in this file`);
    expect((await harness.list()).map((service) => service.name)).not.toContain('lonely');
  });

  it('maxInflight queues requests beyond the cap and answers 503 when the queue (queueLimit) is full too', async () => {
    await startFile('capped.json', { services: [{ name: 'capped', script: join(FIXTURES, 'echo-server.js'), port: 22320, maxInflight: 1, queueLimit: 1 }] });
    const service = await harness.service('capped');
    expect(service.instances[0]!.port).not.toBe(22320);
    // One in flight, one queued (queueLimit 1), the third refused.
    const results = await Promise.all([get(22320, '/slow'), get(22320, '/slow'), get(22320, '/slow')]);
    expect(results.map((result) => result.status).sort()).toEqual([200, 200, 503]);
  });

  it('sticky keeps a client on the instance its cookie names', async () => {
    await startFile('sticky.json', { services: [{ name: 'sticky', script: join(FIXTURES, 'echo-server.js'), port: 22330, instances: 3, sticky: true }] });
    const first = await get(22330, '/');
    const cookie = first.setCookie![0]!.split(';')[0]!;
    expect(cookie).toMatch(/^apictl_instance=\d$/);
    const pid = JSON.parse(first.body).pid;
    for (let request = 0; request < 6; request++) expect(JSON.parse((await get(22330, '/', cookie)).body).pid).toBe(pid);
  });

  it('logDate: false stores lines without a timestamp', async () => {
    await startFile('plain-log.json', { services: [{ name: 'plain', script: join(FIXTURES, 'echo-server.js'), port: 22340, logDate: false }] });
    // Online means the port answers; the line that says so may reach the log a moment later.
    const logged = await harness.waitFor('the listening line', async () => readFileSync(join(harness.home, 'logs/plain.out.log'), 'utf8'), (text) => text.endsWith('\n'));
    expect(logged).toBe('echo-server listening on 22340\n');
  });

  it('cronRestart restarts on schedule', async () => {
    await startFile('cron.json', { services: [{ name: 'cron', script: join(FIXTURES, 'echo-server.js'), port: 22350, cronRestart: '*/2 * * * * *' }] });
    const service = await harness.waitFor('a scheduled restart', () => harness.service('cron'), (found) => found.restarts >= 1 && found.status === 'online');
    expect(service.restarts).toBeGreaterThanOrEqual(1);
    const bad = join(harness.work, 'bad-cron.json');
    writeFileSync(bad, JSON.stringify({ services: [{ name: 'badcron', script: join(FIXTURES, 'echo-server.js'), cronRestart: 'at noon' }] }));
    const result = await harness.run(['start', bad]);
    expect(result.stderr.split('\n')[0]).toBe(`apictl: ${bad}: services[0].cronRestart: must be a cron expression like "0 3 * * *" (5 or 6 fields), got "at noon"`);
  });
});

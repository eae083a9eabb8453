import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { FIXTURES, Harness, httpGet, spawnOutside } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait.js';

const harness = new Harness(21400);
afterAll(() => harness.cleanup());

function write(name: string, content: unknown): string {
  const path = join(harness.work, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

describe('ports', () => {
  it('assigns the first free port from the base, skipping one in use', async () => {
    const blocker = createServer().listen(21400, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    try {
      await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'first']);
      expect((await harness.service('first')).port).toBe(21401);
    } finally {
      blocker.close();
    }
  });

  it('refuses a port held by another process, naming the port and its pid, and starts nothing', async () => {
    const holder = spawnOutside(process.execPath, ['-e', "require('node:net').createServer().listen(21450, '127.0.0.1', () => console.log('up'))"]);
    try {
      await new Promise((resolve) => holder.stdout!.once('data', resolve));
      const result = await harness.run(['start', join(FIXTURES, 'echo-server.js'), '--name', 'clash', '--port', '21450']);
      expect(result.code).toBe(1);
      expect(result.stderr.split('\n')[0]).toBe(`apictl: clash: port 21450 is already in use by pid ${holder.pid}`);
      expect((await harness.list()).map((service) => service.name)).not.toContain('clash');
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

describe('services file', () => {
  it('reports every problem by field path (and line) and starts nothing', async () => {
    const file = write('bad.json', {
      services: [
        { name: 'good', script: join(FIXTURES, 'echo-server.js'), port: 21460 },
        { name: 'bad port', script: join(FIXTURES, 'echo-server.js'), port: 70000, colour: 'red' },
        { name: 'good', script: 'nowhere/missing.js' },
      ],
    });
    const result = await harness.run(['start', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`apictl: ${file}: 5 problems; nothing was started`);
    expect(result.stderr).toContain('  - line 11: services[1].port: must be 1..65535 (or false for a service without a port), got 70000');
    expect(result.stderr).toContain('  - line 12: services[1]: unknown field "colour"');
    expect(result.stderr).toContain('  - line 9: services[1].name: must start with a letter or digit');
    expect(result.stderr).toContain('  - line 16: services[2].script: file not found: nowhere/missing.js');
    expect((await harness.list()).map((service) => service.name)).not.toContain('good');
  });

  it('says which file is not JSON', async () => {
    const file = write('broken.json', '{ "services": [ ');
    const result = await harness.run(['start', file]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toMatch(new RegExp(`^apictl: ${file}: not valid JSON: line 1, column \\d+: `));
  });

  it('resolves relative paths against the file, reads envFile, and --only picks services', async () => {
    const folder = join(harness.work, 'project');
    mkdirSync(join(folder, 'app'), { recursive: true });
    writeFileSync(join(folder, 'app', 'server.js'), `require(${JSON.stringify(join(FIXTURES, 'echo-server.js'))});\n`);
    writeFileSync(join(folder, '.env'), 'SECRET_TOKEN="from file"\nFROM_FILE=1\n');
    const file = join(folder, 'services.json');
    writeFileSync(file, JSON.stringify({
      services: [
        { name: 'web', script: 'app/server.js', envFile: '.env', env: { FROM_FILE: 'overridden' }, port: 21470 },
        { name: 'skipped', script: 'app/server.js', port: 21471 },
      ],
    }));
    const result = await harness.ok(['start', file, '--only', 'web'], { cwd: '/' });
    expect(result.stdout).toMatch(/^web: started/m);
    const names = (await harness.list()).map((service) => service.name);
    expect(names).toContain('web');
    expect(names).not.toContain('skipped');
    const body = JSON.parse((await httpGet(21470)).body);
    expect(body.env).toMatchObject({ SECRET_TOKEN: 'from file', FROM_FILE: 'overridden' });
    const wrongOnly = await harness.run(['start', file, '--only', 'nope']);
    expect(wrongOnly.stderr.split('\n')[0]).toBe(`apictl: --only: no service named "nope" in ${file}`);
  });
});

describe('envFile removed after start (regression: reported as "cannot run node: not found")', () => {
  it('names the envFile in the failure and keeps the daemon up', async () => {
    const envFile = join(harness.work, 'vanishing.env');
    writeFileSync(envFile, 'A=1\n');
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'vanish', '--env-file', envFile, '--restart', 'on-failure']);
    const daemon = harness.daemonPid();
    rmSync(envFile);
    process.kill((await harness.service('vanish')).instances[0]!.pid!, 'SIGKILL');
    const service = await waitFor('the failure to show', () => harness.service('vanish'), (found) => (found.reason ?? '').includes(`cannot read envFile ${envFile}: ENOENT`));
    expect(service.status).not.toBe('online');
    expect(harness.daemonPid()).toBe(daemon);
    await harness.ok(['delete', 'vanish']);
  });
});

describe('parallel CLIs', () => {
  it('twenty `apictl start` at once all succeed on distinct ports', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) => harness.run(['start', join(FIXTURES, 'echo-server.js'), '--name', `p${index}`])),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const services = (await harness.list()).filter((service) => /^p\d+$/.test(service.name));
    expect(services).toHaveLength(20);
    expect(new Set(services.map((service) => service.port)).size).toBe(20);
    await waitFor('all twenty online', async () => (await harness.list()).filter((s) => /^p\d+$/.test(s.name) && s.status === 'online').length, (n) => n === 20);
    await harness.ok(['delete', 'all']);
  });
});

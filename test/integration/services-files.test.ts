import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, Harness, httpGet } from '../helpers/harness.js';

const harness = new Harness(25100);
const echo = join(FIXTURES, 'echo-server.js');
afterAll(() => harness.cleanup());

const ecosystem = `module.exports = {
  apps: [
    { name: 'eco-web', script: ${JSON.stringify(echo)}, env: { PORT: 25110, GREETING: 'dev' }, env_production: { GREETING: 'prod' }, merge_logs: true },
    { name: 'eco-api', script: ${JSON.stringify(echo)}, instances: 2, exec_mode: 'cluster', env: { PORT: 25111 }, max_memory_restart: '200M', kill_timeout: 3000 },
  ],
};
`;

function write(name: string, text: string): string {
  const path = join(harness.work, name);
  writeFileSync(path, text);
  return path;
}

const definitionsOf = async () =>
  Object.fromEntries((await harness.list()).map((service) => [service.name, service.definition]));

describe('pm2 ecosystem files, YAML, import', () => {
  it('starts an ecosystem.config.js with 2 apps, one with instances: 2, naming what it left behind', async () => {
    const file = write('ecosystem.config.js', ecosystem);
    const result = await harness.ok(['start', file, '--env-profile', 'production']);
    expect(result.stderr).toMatch(/^apictl: warning: apps\[0\] \(eco-web\): merge_logs: apictl always writes all instances/m);
    expect(result.stderr).toMatch(/^apictl: warning: apps\[1\] \(eco-api\): exec_mode: apictl runs each instance as its own process/m);
    const api = await harness.service('eco-api');
    expect(api).toMatchObject({ status: 'online', port: 25111 });
    expect(api.instances).toHaveLength(2);
    expect(api.definition).toMatchObject({ maxMemoryBytes: 200 * 1024 ** 2, killTimeoutMs: 3000, instances: 2 });
    const web = JSON.parse((await httpGet(25110)).body) as { env: Record<string, string> };
    expect(web.env).toMatchObject({ GREETING: 'prod', PORT: '25110' });
    expect((await httpGet(25111)).status).toBe(200);
  });

  it('import writes the equivalent services file, which starts the same definitions', async () => {
    const started = await definitionsOf();
    mkdirSync(join(harness.work, 'converted'), { recursive: true });
    const out = join(harness.work, 'converted', 'services.json');
    const result = await harness.ok(['import', join(harness.work, 'ecosystem.config.js'), '--env-profile', 'production', '--out', out]);
    expect(result.stdout).toMatch(/^wrote 2 services to .*services\.json \(\d+ warnings above\)\n$/);
    const written = JSON.parse(readFileSync(out, 'utf8')) as { $schema: string; services: Array<Record<string, unknown>> };
    expect(written.$schema).toMatch(/services\.schema\.json$/);
    expect(written.services.map((service) => service.name)).toEqual(['eco-web', 'eco-api']);
    await harness.ok(['delete', 'all']);
    await harness.ok(['start', out]);
    expect(await definitionsOf()).toEqual(started);
  });

  it('starts a YAML services file', async () => {
    const file = write('services.yaml', `services:\n  - name: yaml-svc\n    script: ${echo}\n    port: 25112\n    env:\n      GREETING: from yaml\n`);
    await harness.ok(['start', file]);
    expect(JSON.parse((await httpGet(25112)).body)).toMatchObject({ env: { GREETING: 'from yaml' } });
  });

  it('imports a pm2 dump', async () => {
    const dump = write('dump.pm2', JSON.stringify([{ name: 'dumped', pm_exec_path: echo, pm_cwd: harness.work, pm_id: 0, status: 'online', env: { PORT: '25113', HOME: process.env.HOME } }]));
    const printed = await harness.ok(['import', dump]);
    expect(JSON.parse(printed.stdout)).toMatchObject({ services: [{ name: 'dumped', script: echo, port: 25113 }] });
    expect(printed.stderr).toContain('env: left out variables pm2 captured from its shell that equal yours now: HOME');
  });

  it('never starts a file that is not a services file as a script', async () => {
    const before = (await harness.list()).length;
    for (const [name, text] of [['package.json', '{"name": "app"}'], ['vite.config.js', 'module.exports = { plugins: [] };'], ['notes.yml', 'hello: world\n']]) {
      const result = await harness.run(['start', write(name, text)]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^apictl: .*${name.replace('.', '\\.')} is not a services file: it has neither "services" \\(apictl\\) nor "apps" \\(pm2\\)\n`));
    }
    expect(await harness.list()).toHaveLength(before);
  });
});

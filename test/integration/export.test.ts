import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXPORT_TARGETS } from '../../src/export/types.js';
import { Harness } from '../helpers/harness.js';
import { SHOP_FILE } from '../helpers/export-input.js';

const h = new Harness(24000);
afterAll(() => h.cleanup());

const filesIn = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name), 'utf8')]));

describe('apictl export: bad input is one clear line, exit 1, nothing written', () => {
  const bad = join(h.work, 'bad');
  const cases: Array<[string, () => string[], RegExp]> = [
    ['an unknown target', () => ['export', 'swarm', SHOP_FILE, '--out', bad], /^apictl: unknown export target 'swarm'\nhint: targets: compose, k8s, systemd, nginx, haproxy\n$/],
    ['a typo in the target', () => ['export', 'compsoe', SHOP_FILE, '--out', bad], /^apictl: unknown export target 'compsoe'\nhint: did you mean 'compose'\?/],
    ['a file that does not exist', () => ['export', 'compose', join(h.work, 'nope.json'), '--out', bad], /^apictl: cannot read .*nope\.json: ENOENT\nhint: /],
    ['a file that is not JSON', () => {
      writeFileSync(join(h.work, 'broken.json'), '{"services": [');
      return ['export', 'k8s', join(h.work, 'broken.json'), '--out', bad];
    }, /^apictl: .*broken\.json: not valid JSON \(.*\)\nhint: fix the file/],
    ['an invalid services file', () => {
      writeFileSync(join(h.work, 'invalid.json'), JSON.stringify({ services: [{ script: 'x.js', port: 70000 }, { script: 'missing.js' }] }));
      return ['export', 'systemd', join(h.work, 'invalid.json'), '--out', bad];
    }, /^apictl: .*invalid\.json: 2 problems; nothing was exported\n {2}- services\[0\]\.port: must be 1\.\.65535.*got 70000\n {2}- services\[1\]\.script: file not found: missing\.js/],
    ['no file and no daemon', () => ['export', 'nginx', '--out', bad], /^apictl: no daemon is running for .*, and no services file was given\nhint: give a services file/],
  ];

  it.each(cases)('%s', async (_label, args, message) => {
    const result = await h.run(args());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
    expect(existsSync(bad)).toBe(false);
  });

  it('started no daemon on the way', () => expect(h.daemonPid()).toBeNull());
});

describe('apictl export with a services file', () => {
  it('--strict turns warnings into an error and writes nothing', async () => {
    const out = join(h.work, 'strict-compose');
    const result = await h.run(['export', 'compose', SHOP_FILE, '--out', out, '--strict']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('warning: api: cronRestart: compose has no schedules');
    expect(result.stderr).toMatch(/apictl: 11 warnings with --strict; nothing was written\n/);
    expect(existsSync(out)).toBe(false);
  });

  it('--strict passes a target where every field has an equivalent', async () => {
    const out = join(h.work, 'strict-haproxy');
    const result = await h.ok(['export', 'haproxy', SHOP_FILE, '--out', out, '--strict']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`wrote ${join(out, 'haproxy.cfg')}\n`);
  });

  it.each(EXPORT_TARGETS)('%s: --out writes what the command prints, the same bytes every run', async (target) => {
    const out = join(h.work, `out-${target}`);
    const first = await h.ok(['export', target, SHOP_FILE, '--out', out]);
    const written = filesIn(out);
    const again = await h.ok(['export', target, SHOP_FILE, '--out', out]);
    expect(filesIn(out)).toEqual(written);
    expect(again.stderr).toBe(first.stderr);
    // Printed (from the same folder, so relative paths agree): each file under a "# ==> name <==" line, or alone.
    const printed = (await h.ok(['export', target, SHOP_FILE], { cwd: out })).stdout;
    const names = Object.keys(written);
    if (names.length === 1) expect(printed).toBe(written[names[0]!]);
    else for (const name of names) expect(printed).toContain(`# ==> ${name} <==\n${written[name]}`);
  });
});

describe('apictl export from the running set', () => {
  it('equals the export of the file it was started from, target by target', async () => {
    await h.ok(['start', SHOP_FILE]);
    const services = await h.list();
    expect(services.map((service) => [service.name, service.status, service.instances.length])).toEqual([
      ['api', 'online', 1], ['reports', 'online', 1], ['search', 'online', 3],
    ]);
    for (const target of EXPORT_TARGETS) {
      const running = await h.ok(['export', target]);
      const fromFile = await h.ok(['export', target, SHOP_FILE]);
      expect(running.stdout, target).toBe(fromFile.stdout);
      expect(running.stderr, target).toBe(fromFile.stderr);
    }
  });
});

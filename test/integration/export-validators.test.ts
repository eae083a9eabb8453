import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { matchRoute } from '../../src/balancer/routes.js';
import { toExportInput } from '../../src/export/from-definitions.js';
import { loadServicesFile } from '../../src/export/load-services-file.js';
import { RENDERERS } from '../../src/export/render.js';
import type { ExportInput, ExportTarget } from '../../src/export/types.js';
import type { RouteTable } from '../../src/types.js';
import { httpGet } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait.js';
import { definitionOf, inputOf, readShopEnvFile, SHOP, SHOP_FILE } from '../helpers/export-input.js';
import { nginxArgs, nginxWrapper, runTool, startEchoBackend, startProxy, stopProcess, validateManifests, writeAll } from '../helpers/export-tools.js';

// Each target's own tool accepts what export writes: for the services file
// that uses every field, and for the fields still being added (autoscaling
// to zero, a route that strips its prefix, traffic settings).
const work = mkdtempSync(join(tmpdir(), 'apictl-export-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function shopInput(outDir: string): Promise<ExportInput> {
  const { definitions, routes } = await loadServicesFile(SHOP_FILE);
  return toExportInput(definitions, routes, { outDir, envFileValues: readShopEnvFile });
}

const futureInput = (outDir: string) => inputOf([
  definitionOf({ name: 'grow', cwd: join(SHOP, 'search'), script: join(SHOP, 'search/app.py'), port: 24601, health: { path: '/health', intervalMs: 2000, timeoutMs: 1000, failures: 2 }, instances: { min: 0, max: 3 } as unknown as number,
    maxInflight: 2, sticky: true, drainTimeoutMs: 5000, accessLog: true, connectTimeoutMs: 2000, responseTimeoutMs: 20_000, headerTimeoutMs: 5000, keepAliveTimeoutMs: 4000 }),
  definitionOf({ name: 'Small_One', script: '/usr/bin/env', cwd: '/tmp', interpreter: 'none', port: 24602, maxMemoryBytes: 1536, stopSignal: 'SIGINT' }),
], [{ port: 24600, paths: { '/': 'grow', '/one': { service: 'Small_One', strip: true } as unknown as string } }], outDir);

const cases: Array<[string, (outDir: string) => ExportInput | Promise<ExportInput>]> = [['the shop', shopInput], ['autoscaling, strip and traffic fields', futureInput]];

async function exported(target: ExportTarget, label: string, makeInput: (outDir: string) => ExportInput | Promise<ExportInput>): Promise<string> {
  const dir = join(work, target, label.replace(/\W+/g, '-'));
  const output = RENDERERS[target](await makeInput(dir));
  writeAll(dir, output.files);
  return dir;
}

describe.each(cases)('%s', (label, makeInput) => {
  it('passes docker-compose config', async () => {
    const dir = await exported('compose', label, makeInput);
    expect(runTool('docker-compose', ['-f', join(dir, 'docker-compose.yml'), 'config', '-q'], dir)).toEqual({ code: 0, output: '' });
  });

  it('passes systemd-analyze verify, unit by unit', async () => {
    const dir = await exported('systemd', label, makeInput);
    const units = readdirSync(dir).filter((name) => name.endsWith('.service'));
    expect(units.length).toBeGreaterThan(0);
    // verify exits 0 on lines it ignores; any output is a finding.
    for (const unit of units) expect(runTool('systemd-analyze', ['verify', join(dir, unit)]), unit).toEqual({ code: 0, output: '' });
  });

  it('passes nginx -t inside a wrapper', async () => {
    const dir = await exported('nginx', label, makeInput);
    const result = runTool('nginx', ['-t', ...nginxArgs(dir, nginxWrapper(dir, join(dir, 'apictl.conf')))]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toMatch(/\[(warn|emerg|alert)\]/);
  });

  it('passes haproxy -c', async () => {
    const dir = await exported('haproxy', label, makeInput);
    const result = runTool('haproxy', ['-c', '-f', join(dir, 'haproxy.cfg')]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toMatch(/\[(WARNING|ALERT)\]/);
  });

  it('matches the Kubernetes schemas, object by object', async () => {
    const output = RENDERERS.k8s(await makeInput(join(work, 'k8s')));
    const seen = validateManifests(output.files.filter((file) => file.path.endsWith('.yaml')).map((file) => file.content));
    expect(seen.some((object) => object.startsWith('apps/v1/Deployment'))).toBe(true);
    if (label !== 'the shop') expect(seen).toContain('autoscaling/v2/HorizontalPodAutoscaler grow');
    else expect(seen).toContain('v1/Secret api-env');
  });
});

// The fronts route as apictl's router does: "/api" is "/api" and "/api/…",
// never "/apix"; the longest prefix wins; the path goes on unchanged unless
// the route strips it.
describe('nginx and haproxy route like apictl', () => {
  const table: RouteTable = { port: 24610, paths: { '/api': 'api', '/api/v2': 'v2', '/strip': { service: 'v2', strip: true } as unknown as string } };
  const input = () => inputOf([definitionOf({ name: 'api', port: 24611 }), definitionOf({ name: 'v2', port: 24612 })], [table], join(work, 'routing'));
  const serviceOf = (path: string) => matchRoute({ '/api': 'api', '/api/v2': 'v2', '/strip': 'v2' }, path)?.service ?? null;
  const CASES: Array<[string, string | null]> = [
    ['/api', 'api /api'], ['/api/', 'api /api/'], ['/api/x?q=1', 'api /api/x?q=1'], ['/apix', null], ['/api/v2', 'v2 /api/v2'],
    ['/api/v2/x', 'v2 /api/v2/x'], ['/api/v2x', 'api /api/v2x'], ['/strip', 'v2 /'], ['/strip/a/b', 'v2 /a/b'], ['/stripe', null], ['/', null],
  ];
  const children: Array<[ChildProcess, boolean]> = [];
  afterEach(async () => {
    for (const [child, group] of children.splice(0).reverse()) await stopProcess(child, group);
  });

  const answers = (port: number, body: string) =>
    waitFor(`port ${port} to answer ${body}`, () => httpGet(port, '/api').then((reply) => reply.body), (seen) => seen === body, 20_000);

  async function expectRouting(): Promise<void> {
    for (const [path, expected] of CASES) {
      expect(serviceOf(path), `apictl's router for ${path}`).toBe(expected?.split(' ')[0] ?? null);
      const reply = await httpGet(24610, path);
      expect(expected === null ? reply.status : reply.body, path).toBe(expected ?? 404);
    }
  }

  it.each(['nginx', 'haproxy'] as const)('%s', async (target) => {
    children.push([startEchoBackend('api', 24611), false], [startEchoBackend('v2', 24612), false]);
    await answers(24611, 'api /api');
    await answers(24612, 'v2 /api');
    const dir = join(work, `routing-${target}`);
    writeAll(dir, RENDERERS[target](input()).files);
    const proxy = target === 'nginx'
      ? startProxy('nginx', [...nginxArgs(dir, nginxWrapper(dir, join(dir, 'apictl.conf'))), '-g', 'daemon off;'])
      : startProxy('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')]);
    children.push([proxy, true]);
    await answers(24610, 'api /api');
    await expectRouting();
  });
});

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { matchRoute, stripPrefix } from '../../src/balancer/routes.js';
import { toExportInput } from '../../src/export/from-definitions.js';
import { layInstances } from '../../src/export/instance-layout.js';
import { loadServicesFile } from '../../src/export/load-services-file.js';
import { RENDERERS } from '../../src/export/render.js';
import type { ExportInput, ExportTarget } from '../../src/export/types.js';
import type { RouteTable } from '../../src/types.js';
import { httpGet } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait.js';
import { definitionOf, inputOf, readShopEnvFile, SHOP, SHOP_FILE } from '../helpers/export-input.js';
import { haproxyHeld, haproxyStatsConfig, nginxArgs, nginxWrapper, runTool, startEchoBackend, startProxy, startSlowBackend, stopProcess, validateManifests, writeAll } from '../helpers/export-tools.js';

// Each target's own tool accepts what export writes: for the services file
// that uses every field, and for autoscaling to zero, routes that strip
// their prefix and every traffic setting (timeouts, queue).
const work = mkdtempSync(join(tmpdir(), 'apictl-export-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function shopInput(outDir: string): Promise<ExportInput> {
  const { definitions, routes } = await loadServicesFile(SHOP_FILE);
  return toExportInput(definitions, routes, { outDir, envFileValues: readShopEnvFile });
}

const futureInput = (outDir: string) => inputOf([
  definitionOf({ name: 'grow', cwd: join(SHOP, 'search'), script: join(SHOP, 'search/app.py'), port: 24601, health: { path: '/health', intervalMs: 2000, timeoutMs: 1000, failures: 2 },
    autoscale: { min: 0, max: 3, maxConnsPerInstance: 20, loadFactor: 0.5, idleTimeoutMs: 300_000, coldStartTimeoutMs: 60_000 },
    maxInflight: 2, sticky: true, drainTimeoutMs: 5000, accessLog: true, trustProxy: ['10.0.0.0/8'], connectTimeoutMs: 2000, upstreamTimeoutMs: 20_000,
    headerTimeoutMs: 5000, keepAliveTimeoutMs: 4000, sendTimeoutMs: 15_000, queueTimeoutMs: 3000, queueLimit: 0 }),
  definitionOf({ name: 'Small_One', script: '/usr/bin/env', cwd: '/tmp', interpreter: 'none', port: 24602, maxMemoryBytes: 1536, stopSignal: 'SIGINT', sendTimeoutMs: 10_000 }),
  definitionOf({ name: 'queued', cwd: join(SHOP, 'search'), script: join(SHOP, 'search/app.py'), port: 24603, instances: 2, maxInflight: 1, queueLimit: 4 }),
], [{ port: 24600, paths: { '/': 'grow', '/one': 'Small_One' }, strip: true }, { port: 24604, paths: { '/q': 'queued' } }], outDir);

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
  const plain: RouteTable = { port: 24610, paths: { '/api': 'api', '/api/v2': 'v2' } };
  const stripping: RouteTable = { port: 24613, paths: { '/api': 'api', '/strip': 'v2' }, strip: true };
  const input = () => inputOf([definitionOf({ name: 'api', port: 24611 }), definitionOf({ name: 'v2', port: 24612 })], [plain, stripping], join(work, 'routing'));
  /** What apictl's router does: "service path-it-sees", or null for its 404. */
  const apictlRoutes = (table: RouteTable, path: string) => {
    const match = matchRoute(table.paths, path);
    return match && `${match.service} ${table.strip ? stripPrefix(path, match.prefix) : path}`;
  };
  const CASES: Array<[RouteTable, string, string | null]> = [
    [plain, '/api', 'api /api'], [plain, '/api/', 'api /api/'], [plain, '/api/x?q=1', 'api /api/x?q=1'], [plain, '/apix', null], [plain, '/api/v2', 'v2 /api/v2'],
    [plain, '/api/v2/x', 'v2 /api/v2/x'], [plain, '/api/v2x', 'api /api/v2x'], [plain, '/', null],
    [stripping, '/strip', 'v2 /'], [stripping, '/strip/a/b?c=1', 'v2 /a/b?c=1'], [stripping, '/stripe', null], [stripping, '/api/x', 'api /x'], [stripping, '/', null],
  ];
  const children: Array<[ChildProcess, boolean]> = [];
  afterEach(async () => {
    for (const [child, group] of children.splice(0).reverse()) await stopProcess(child, group);
  });

  const answers = (port: number, body: string) =>
    waitFor(`port ${port} to answer ${body}`, () => httpGet(port, '/api').then((reply) => reply.body), (seen) => seen === body, 20_000);

  async function expectRouting(): Promise<void> {
    for (const [table, path, expected] of CASES) {
      expect(apictlRoutes(table, path), `apictl's router for ${path} on ${table.port}`).toBe(expected);
      const reply = await httpGet(table.port, path);
      expect(expected === null ? reply.status : reply.body, `${path} on ${table.port}`).toBe(expected ?? 404);
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

// apictl's queue, as HAProxy runs it: with maxInflight 1 on one instance
// that takes 1.5 s, one request runs, queueLimit of them wait, the rest get
// 503 at once; a waiting one gets 503 after queueTimeout.
describe('haproxy queues like apictl', () => {
  const children: Array<[ChildProcess, boolean]> = [];
  afterEach(async () => {
    for (const [child, group] of children.splice(0).reverse()) await stopProcess(child, group);
  });

  /** `count` requests, each sent once HAProxy holds or has answered the one before: they reach it in this order. */
  async function fire(port: number, count: number, stats: string): Promise<Array<{ status: number; ms: number }>> {
    const started = performance.now();
    const replies: Array<Promise<{ status: number; ms: number }>> = [];
    let answered = 0;
    for (let index = 0; index < count; index++) {
      replies.push(
        httpGet(port, '/', 10_000).then((reply) => {
          answered += 1;
          return { status: reply.status, ms: performance.now() - started };
        }),
      );
      await waitFor(`request ${index} at haproxy`, async () => answered + (await haproxyHeld(stats, 'slow')), (seen) => seen === index + 1, 5_000);
    }
    return Promise.all(replies);
  }

  it.each([
    ['queueLimit 1: the third and fourth are refused at once', { queueLimit: 1 }, [200, 200, 503, 503]],
    ['queueTimeout 1s: the waiting one gives up', { queueTimeoutMs: 1000 }, [200, 503]],
  ] as const)('%s', async (_label, settings, statuses) => {
    const dir = join(work, `queue-${statuses.length}`);
    const input = inputOf([definitionOf({ name: 'slow', port: 24620, maxInflight: 1, ...settings })], [], dir);
    // The instance listens where the systemd export would run it.
    const [instancePort] = layInstances(input).get('slow')!;
    children.push([startSlowBackend(instancePort!, 1500), false]);
    await waitFor('the slow backend', () => httpGet(instancePort!, '/', 5_000).then((reply) => reply.status, () => 0), (status) => status === 200, 20_000);
    writeAll(dir, RENDERERS.haproxy(input).files);
    const stats = join(dir, 'stats.sock');
    writeFileSync(join(dir, 'stats.cfg'), haproxyStatsConfig(stats));
    children.push([startProxy('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg'), '-f', join(dir, 'stats.cfg')]), true]);
    await waitFor('haproxy', () => httpGet(24620, '/', 5_000).then((reply) => reply.status, () => 0), (status) => status === 200, 20_000);
    const replies = await fire(24620, statuses.length, stats);
    expect(replies.map((reply) => reply.status)).toEqual(statuses);
    for (const [index, reply] of replies.entries()) {
      // Refused at once (well before the first is answered), or after the queue timeout.
      if (reply.status === 503) expect(reply.ms, `request ${index}`).toBeLessThan('queueLimit' in settings ? 1000 : 1500);
    }
  });
});

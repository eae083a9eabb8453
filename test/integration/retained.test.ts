import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectDaemon } from '../../src/client/connect.js';
import { resolvePaths } from '../../src/state/paths.js';
import { FIXTURES, Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait.js';

const harness = new Harness(22400);
afterAll(() => harness.cleanup());

/** apictl's own objects for one service: none may outlive its delete. */
const OWN = [
  'Service', 'Launcher', 'Autoscaler', 'Balancer', 'Upstream', 'ServiceRequests', 'RequestStats', 'ServiceLogSink', 'LogFile', 'OutputPipe', 'CarryFile',
  'LineCutter', 'Ring', 'Cron',
];
/**
 * Node's objects a service holds (and `Instance`, a name WebAssembly shares), and the daemon's open
 * descriptors (`fds`: pipes, log files, /proc files a sampler keeps open): no more after the deletes than before.
 */
const SHARED_NAMES = ['Instance', 'FSWatcher', 'ChildProcess', 'Socket', 'Server', 'Timeout', 'AbortController'];
const PER_SERVICE = [...OWN, ...SHARED_NAMES, 'fds'];

async function heapCounts(): Promise<Record<string, number>> {
  const client = await connectDaemon(resolvePaths(harness.home), { autostart: false });
  try {
    const counts = await client.call('heapCounts', { names: PER_SERVICE.filter((name) => name !== 'fds') }, { timeoutMs: 60_000 });
    return { ...counts, fds: readdirSync(`/proc/${harness.daemonPid()}/fd`).length };
  } finally {
    client.close();
  }
}

describe('a deleted service leaves nothing behind in the daemon', () => {
  it('after start + delete cycles of a balanced, watched, scheduled, health-checked service, the heap and the open descriptors are as before', async () => {
    const app = join(harness.work, 'app');
    mkdirSync(app, { recursive: true });
    const file = join(harness.work, 'services.json');
    writeFileSync(
      file,
      JSON.stringify({
        services: [
          {
            name: 'cycled',
            script: join(FIXTURES, 'echo-server.js'),
            cwd: app,
            instances: 2,
            port: 22450,
            watch: [app],
            cronRestart: '0 0 1 1 *',
            health: { path: '/', interval: '200ms' },
          },
        ],
      }),
    );
    const cycle = async () => {
      await harness.ok(['start', file]);
      await harness.waitForStatus('cycled', 'online');
      await harness.ok(['delete', 'cycled']);
    };
    const leftovers = (counts: Record<string, number>, baseline?: Record<string, number>) =>
      Object.fromEntries(
        PER_SERVICE.filter((name) => counts[name]! > (OWN.includes(name) ? 0 : (baseline?.[name] ?? Infinity))).map((name) => [name, counts[name]]),
      );
    const settled = (baseline?: Record<string, number>) =>
      // Timers and sockets of a delete end within moments: wait for them, then name what stayed.
      waitFor('the deleted service to leave nothing', heapCounts, (counts) => Object.keys(leftovers(counts, baseline)).length === 0, 20_000).catch(() => heapCounts());
    // The first cycle loads what any such service needs once (the balancer, chokidar, croner, pidusage).
    await cycle();
    const baseline = await settled();
    expect(leftovers(baseline)).toEqual({});
    for (let round = 0; round < 4; round++) await cycle();
    expect(leftovers(await settled(baseline), baseline)).toEqual({});
  });
});

describe('the services-file checks (zod and the schema) are let go after use', () => {
  const checks = new Harness(22480);
  afterAll(() => checks.cleanup());
  /** A function of zod's core: one object of it per schema node while zod is loaded. */
  const ZOD = 'Internals';
  const zodObjects = async () => {
    const client = await connectDaemon(resolvePaths(checks.home), { autostart: false });
    try {
      return (await client.call('heapCounts', { names: [ZOD] }, { timeoutMs: 60_000 }))[ZOD]!;
    } finally {
      client.close();
    }
  };

  it('a start loads them, they are gone once the daemon is idle, and the next start loads them again', async () => {
    // Held long enough after the start for the first count to see them on a loaded machine.
    const env = { APICTL_CHECKS_IDLE_MS: '8000' };
    await checks.ok(['ping'], { env });
    expect(await zodObjects()).toBe(0);
    await checks.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'first'], { env });
    expect(await zodObjects()).toBeGreaterThan(100);
    await waitFor('the checks to be let go', zodObjects, (count) => count === 0, 40_000);
    // A scheduled service: the daemon requires croner after the checks did (croner names them its parent).
    const file = join(checks.work, 'cron.json');
    writeFileSync(file, JSON.stringify({ services: [{ name: 'second', script: join(FIXTURES, 'echo-server.js'), cronRestart: '0 0 1 1 *' }] }));
    await checks.ok(['start', file], { env });
    await checks.waitForStatus('second', 'online');
    await waitFor('the checks to be let go again', zodObjects, (count) => count === 0, 40_000);
    const bad = await checks.run(['start', join(FIXTURES, 'echo-server.js'), '--name', 'third', '--port', 'seventy'], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/port/);
  });
});

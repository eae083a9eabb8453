import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness, httpGet } from '../helpers/harness.js';
import { answeringDaemon } from '../helpers/daemon-socket.js';
import { findKeepers } from '../helpers/harness.js';
import { isAlive, waitFor } from '../helpers/wait.js';

// SPEC §12: a state.json of the wrong shape never stops the daemon: it is
// moved aside (never over an earlier one), what can be known is recovered —
// from the file's good entries and from what the running processes carry —
// and dump.json is never touched. resurrect names a bad dump entry and exits non-zero.
const harness = new Harness(23400);
afterAll(() => harness.cleanup());
const statePath = () => join(harness.home, 'state.json');
const asideFiles = () => readdirSync(harness.home).filter((entry) => entry.startsWith('state.json.corrupt-')).sort();
const daemonLog = () => readFileSync(join(harness.home, 'daemon.log'), 'utf8');

/** Stops the daemon and keeper with no service running: the next command starts a daemon that reads state.json. */
async function noDaemon(): Promise<void> {
  await harness.ok(['kill']);
  await waitFor('no keeper', () => findKeepers(harness.home), (found) => found.length === 0, 10_000);
}

describe('a wrongly shaped state.json', () => {
  it('is moved aside, said so, and the daemon answers; dump.json is left as it was', async () => {
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'kept', '--port', '23410']);
    await harness.ok(['save']);
    const dump = readFileSync(join(harness.home, 'dump.json'));
    await harness.ok(['delete', 'kept']);
    await noDaemon();
    const bad = '{"services":[{"definition":{"name":"x"},"desired":"running"}]}';
    writeFileSync(statePath(), bad);
    const pinged = await harness.run(['ping']);
    expect(pinged.code).toBe(0);
    expect(asideFiles()).toHaveLength(1);
    expect(readFileSync(join(harness.home, asideFiles()[0]!), 'utf8')).toBe(bad);
    expect(daemonLog()).toMatch(/state\.json had \d+ problem\(s\): moved aside/);
    expect(readFileSync(join(harness.home, 'dump.json')).equals(dump)).toBe(true);
    expect(await harness.list()).toEqual([]);
  });

  it('a second bad file goes aside under another name: an earlier one is never overwritten', async () => {
    await noDaemon();
    writeFileSync(statePath(), '{"services": 5}');
    expect((await harness.run(['ping'])).code).toBe(0);
    const aside = asideFiles();
    expect(aside).toHaveLength(2);
    expect(aside.map((name) => readFileSync(join(harness.home, name), 'utf8'))).toContain('{"services": 5}');
  });

  it('corrupt while services run: they are kept (same pids) — good entries from the file, the rest from their processes', async () => {
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'listed', '--port', '23411']);
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'garbled', '--port', '23412']);
    const before = Object.fromEntries((await harness.list()).map((service) => [service.name, service.instances[0]!.pid]));
    // The keeper held still, so no daemon reads the file before it is garbled.
    const [keeper] = findKeepers(harness.home);
    process.kill(keeper!, 'SIGSTOP');
    const daemon = harness.daemonPid()!;
    try {
      process.kill(daemon, 'SIGKILL');
      await waitFor('the daemon gone', () => isAlive(daemon), (alive) => !alive, 10_000);
      const state = JSON.parse(readFileSync(statePath(), 'utf8')) as { services: Array<{ service: { name: string; port: unknown } }> };
      for (const entry of state.services) if (entry.service.name === 'garbled') entry.service.port = 'not a port';
      writeFileSync(statePath(), JSON.stringify(state));
    } finally {
      process.kill(keeper!, 'SIGCONT');
    }
    await waitFor('a new daemon', () => answeringDaemon(harness.home), (pid) => pid !== null && pid !== daemon, 20_000);
    const after = await waitFor('both services listed', () => harness.list(), (services) => services.length === 2 && services.every((service) => service.instances[0]!.pid !== null), 20_000);
    expect(Object.fromEntries(after.map((service) => [service.name, service.instances[0]!.pid]))).toEqual(before);
    expect(after.find((service) => service.name === 'garbled')!.instances[0]!.adopted).toBe(true);
    expect((await httpGet(23412)).status).toBe(200);
    expect(asideFiles()).toHaveLength(3);
    expect(daemonLog()).toMatch(/state\.services\[\d\]\.service\.port/);
    await harness.ok(['delete', 'all']);
  });
});

describe('resurrect with a bad dump entry', () => {
  it('starts the good entries, names the bad one, exits non-zero, and leaves dump.json as it was', async () => {
    const dumpPath = join(harness.home, 'dump.json');
    const dump = { version: 2, services: [{ name: 'good', script: join(FIXTURES, 'echo-server.js'), port: 23413 }, { name: 'bad', script: join(FIXTURES, 'echo-server.js'), port: 'eighty' }] };
    writeFileSync(dumpPath, JSON.stringify(dump));
    const before = readFileSync(dumpPath);
    const result = await harness.run(['resurrect']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^apictl: dump\.json: .*port.* \(not started\)$/m);
    expect((await harness.list()).map((service) => service.name)).toEqual(['good']);
    expect(readFileSync(dumpPath).equals(before)).toBe(true);
    expect(existsSync(`${dumpPath}.bak`)).toBe(false);
    await harness.ok(['delete', 'good']);
  });
});

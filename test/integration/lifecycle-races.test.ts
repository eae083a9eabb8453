import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { BIN, FIXTURES, Harness, httpGet } from '../helpers/harness.js';
import { callDaemon, callDaemonMany } from '../helpers/daemon-socket.js';
import { expectNever, isAlive, waitFor } from '../helpers/wait.js';
import { findMarkedProcesses } from '../../src/process/supervised-marker.js';

// Races found in review, each pinned by a test that failed on the code before the fix.
const harness = new Harness(23000);
afterAll(() => harness.cleanup());

// Grandchildren that escaped their group (setsid) on purpose; issue 10 stops them with the service.
const escapedPids = new Set<number>();
const markedOf = (name: string) => findMarkedProcesses(harness.home).filter((found) => found.service === name && isAlive(found.pid));

describe('lifecycle races', () => {
  it('a crash followed at once by delete does not relaunch the service', async () => {
    for (let round = 0; round < 3; round++) {
      const name = `crashdel${round}`;
      // A setsid grandchild keeps the pipes open, so the daemon is still finishing the exit when the delete lands.
      await harness.ok(['start', join(FIXTURES, 'exit-on-signal.js'), '--name', name, '--env', 'ESCAPE=1']);
      const pid = (await harness.service(name)).instances[0]!.pid!;
      for (const found of await waitFor('the escaped grandchild', () => markedOf(name), (all) => all.length >= 2)) if (found.pid !== pid) escapedPids.add(found.pid);
      process.kill(pid, 'SIGUSR2');
      await waitFor(`${pid} to exit`, () => isAlive(pid), (alive) => !alive, 10_000);
      const deleted = await callDaemon(harness.home, 'delete', { target: name });
      expect(deleted.ok).toBe(true);
      await expectNever(`a process of ${name} after its delete`, () => markedOf(name).filter((found) => found.pid !== pid && !escapedPids.has(found.pid)), (found) => found.length > 0, 800);
    }
  });

  it('a crash followed at once by stop leaves the service stopped', async () => {
    await harness.ok(['start', join(FIXTURES, 'exit-on-signal.js'), '--name', 'crashstop']);
    const pid = (await harness.service('crashstop')).instances[0]!.pid!;
    process.kill(pid, 'SIGUSR2');
    expect((await callDaemon(harness.home, 'stop', { target: 'crashstop' })).ok).toBe(true);
    await expectNever('a relaunch after stop', () => markedOf('crashstop'), (found) => found.length > 0, 800);
    expect((await harness.service('crashstop')).status).toBe('stopped');
    await harness.ok(['delete', 'crashstop']);
  });

  it('delete then start of the same name keeps the new service’s logs', async () => {
    await harness.ok(['start', join(FIXTURES, 'log-shapes.js'), '--name', 'reborn', '--no-port', '--', 'ticker']);
    const [deleted, started] = await callDaemonMany(harness.home, [
      ['delete', { target: 'reborn' }],
      ['start', { cwd: harness.work, service: { script: join(FIXTURES, 'log-shapes.js'), name: 'reborn', port: false, args: ['ticker'] } }],
    ]);
    expect(deleted!.ok).toBe(true);
    expect(started!.ok).toBe(true);
    // The new service's recent lines come from its sink: gone if the old sink's close removed the new one.
    const shown = await waitFor('recent lines of the new service', async () => JSON.parse((await harness.ok(['show', 'reborn', '--json'])).stdout), (show) => show.recent.length > 0, 10_000);
    expect(shown.recent[0].line).toMatch(/reborn tick \d+/);
    await harness.ok(['delete', 'reborn']);
  });

  it('a balancer that cannot listen fails the start and does not stay behind for the next one', async () => {
    const port = 23050;
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'pool', '--instances', '2', '--port', String(port)]);
    await harness.ok(['stop', 'pool']);
    const squatter = createServer().listen(port, '127.0.0.1');
    await new Promise((resolve) => squatter.once('listening', resolve));
    const refused = await harness.run(['restart', 'pool']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/port 23050/);
    await new Promise((resolve) => squatter.close(resolve));
    await harness.ok(['restart', 'pool']);
    expect((await httpGet(port)).status).toBe(200);
    await harness.ok(['delete', 'pool']);
  });

  it('kill while a start is in flight leaves no process holding the port', async () => {
    await harness.ok(['ping']);
    const daemon = harness.daemonPid()!;
    const [started] = await callDaemonMany(harness.home, [
      ['start', { cwd: harness.work, service: { script: join(FIXTURES, 'exit-on-signal.js'), name: 'late', port: 23060 } }],
      ['kill', {}],
    ]);
    // Refused or cut off, never "online" for a service the daemon then abandons.
    if (started!.ok) expect(JSON.stringify(started!.result)).not.toMatch(/"ok":true/);
    await waitFor('the daemon to exit', () => isAlive(daemon), (alive) => !alive, 20_000);
    expect(markedOf('late')).toEqual([]);
  });
});

describe('one daemon per home', () => {
  it('refuses a second daemon for the same home reached through a symlink', async () => {
    const real = join(harness.work, 'real-home');
    const link = join(harness.work, 'link-home');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, link);
    const first = spawn(process.execPath, [BIN, 'daemon'], { env: { ...harness.env, APICTL_HOME: real }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    first.stdout.on('data', (chunk) => (out += chunk));
    await waitFor('the first daemon', () => out, (text) => text.includes('daemon ready'), 20_000);
    const second = await harness.run(['daemon'], { env: { APICTL_HOME: link }, timeoutMs: 20_000 });
    first.kill('SIGTERM');
    await new Promise((resolve) => first.once('exit', resolve));
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/already running/);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness, REPO, findKeepers, httpGet } from '../helpers/harness.js';
import { answeringDaemon as answeringDaemonOf, killDaemonHard } from '../helpers/daemon-socket.js';
import { requestLoop } from '../helpers/request-loop.js';
import { expectNever, isAlive, offset, waitFor } from '../helpers/wait.js';
import { findMarkedProcesses } from '../../src/process/supervised-marker.js';
import { readProcStat } from '../../src/process/proc.js';
import type { ServiceSnapshot } from '../../src/types.js';

// The daemon is not a single point of failure (SPEC §1): its death, by any
// signal at any instant, is invisible to the services and their logs.
const harness = new Harness(23100);
afterAll(() => harness.cleanup());

const logOf = (name: string, stream = 'out') => {
  const path = join(harness.home, 'logs', `${name}.${stream}.log`);
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
};
const pidsOf = (services: ServiceSnapshot[]) => Object.fromEntries(services.map((service) => [service.name, service.instances.map((instance) => instance.pid)]));

const answeringDaemon = () => answeringDaemonOf(harness.home);
const killDaemon = () => killDaemonHard(harness.home, harness.daemonPid()!);

describe('daemon killed', () => {
  it('services keep answering (0 failed requests) and keep pids, ports, counts and uptime; a new daemon is back by itself', async () => {
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'node-api']);
    // Python prints a line per request: with a pipe to a dead daemon it would die of EPIPE on the next one.
    await harness.ok(['start', join(REPO, 'examples/api.py'), '--name', 'py-api']);
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'parked']);
    await harness.ok(['stop', 'parked']);
    process.kill((await harness.service('node-api')).instances[0]!.pid!, 'SIGKILL');
    await harness.waitForStatus('node-api', 'online');
    const before = await harness.list();
    const ports = ['node-api', 'py-api'].map((name) => before.find((service) => service.name === name)!.port!);
    const loop = requestLoop(ports);
    await loop.answered(40);
    const oldDaemon = harness.daemonPid()!;
    const newDaemon = await killDaemon();
    expect(newDaemon).not.toBe(oldDaemon);
    await loop.answered(100);
    const { failed, perPort } = await loop.stop();
    expect(failed).toEqual([]);

    const after = await harness.list();
    expect(pidsOf(after), JSON.stringify({ before, after })).toEqual(pidsOf(before));
    for (const service of after) {
      const was = before.find((item) => item.name === service.name)!;
      expect(service.port).toBe(was.port);
      expect(service.restarts).toBe(was.restarts);
      expect(service.status).toBe(was.status);
      for (const instance of service.instances) if (instance.pid) expect(instance.uptime).toBeGreaterThanOrEqual(was.instances[instance.index]!.uptime);
    }
    expect(after.find((service) => service.name === 'node-api')!.restarts).toBe(1);
    expect(after.find((service) => service.name === 'parked')!.status).toBe('stopped');
    // Every request Python served was logged, including those while no daemon ran.
    const served = perPort.get(ports[1]!)!;
    await waitFor('every Python request line in its log', () => (logOf('py-api').match(/"GET \/ HTTP\/1.1" 200/g) ?? []).length, (lines) => lines >= served, 10_000);
    expect(harness.daemonPid()).toBe(newDaemon);
    // The crash was a daemon crash: the keeper says so in daemon.log.
    expect(readFileSync(join(harness.home, 'daemon.log'), 'utf8')).toMatch(/keeper: daemon exited with status 137/);
  });

  it('a numbered-line writer loses, repeats and tears no line across three kills, even mid-line', async () => {
    await harness.ok(['start', join(FIXTURES, 'counter.js'), '--name', 'counter', '--no-port', '--env', 'MODE=halves', '--env', 'COUNT=3000', '--env', 'EVERY_MS=1']);
    for (const after of [300, 1200, 2100]) {
      await waitFor(`line ${after} in the log`, () => logOf('counter'), (text) => text.includes(`n ${String(after).padStart(7, '0')}`), 30_000);
      await killDaemon();
    }
    await waitFor('the writer to finish', () => logOf('counter', 'err'), (text) => text.includes('counter wrote 3000'), 60_000);
    // Its last lines go through the other pipe: they may arrive a moment after it said so.
    await waitFor('the last line in the log', () => logOf('counter'), (text) => text.includes('n 0002999'), 10_000);
    const lines = logOf('counter').trimEnd().split('\n');
    const numbers = lines.map((line) => {
      const match = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z n (\d{7}) x{40} end$/.exec(line);
      if (!match) throw new Error(`torn or unstamped line: ${JSON.stringify(line)}`);
      return Number(match[1]);
    });
    expect(numbers).toEqual(Array.from({ length: 3000 }, (_, index) => index));
  });

  it('a service that exits while no daemon runs is restarted after, its exit status unknown and its last words kept', async () => {
    await harness.ok(['start', join(FIXTURES, 'exit-on-signal.js'), '--name', 'loner']);
    const child = (await harness.service('loner')).instances[0]!.pid!;
    const daemon = harness.daemonPid()!;
    const keeper = readProcStat(daemon)!.ppid;
    // Hold the keeper so no daemon comes back while the child dies.
    process.kill(keeper, 'SIGSTOP');
    try {
      process.kill(daemon, 'SIGKILL');
      await waitFor('the daemon to die', () => isAlive(daemon), (alive) => !alive);
      process.kill(child, 'SIGUSR2');
      await waitFor('the child to exit', () => isAlive(child), (alive) => !alive);
    } finally {
      process.kill(keeper, 'SIGCONT');
    }
    const service = await waitFor('loner restarted by the next daemon', () => harness.service('loner'), (found) => found.status === 'online' && found.instances[0]!.pid !== child, 20_000);
    expect(service.restarts).toBe(1);
    expect(service.instances[0]!.lastExit).toMatchObject({ unknown: true });
    expect(logOf('loner', 'err')).toContain(`last words of ${child}`);
    const shown = await harness.ok(['show', 'loner']);
    expect(shown.stdout).toMatch(/exit status unknown/);
  });

  it('an instance the restart policy left stopped or errored stays so after a daemon death (it was started again)', async () => {
    const file = join(harness.work, 'ended.json');
    writeFileSync(file, JSON.stringify({ services: [
      { name: 'once', script: join(FIXTURES, 'crash.js'), args: ['0'], restart: 'never', port: false },
      { name: 'gaveup', script: join(FIXTURES, 'crash.js'), maxRestarts: 1, restartDelay: 0, port: false },
    ] }));
    await harness.ok(['start', file, '--no-wait']);
    await waitFor('once to exit for good', () => harness.service('once'), (found) => found.status === 'stopped' && found.instances[0]!.lastExit?.code === 0);
    const errored = await waitFor('gaveup to give up', () => harness.service('gaveup'), (found) => found.status === 'errored');
    const starts = (name: string) => (logOf(name).match(/crash\.js starting/g) ?? []).length;
    const before = { once: starts('once'), gaveup: starts('gaveup') };
    await killDaemon();
    // Every instance is taken over (or left) before the new daemon answers list: what it says now is settled.
    await waitFor('the takeover to settle', () => harness.service('once'), (found) => found.status !== 'starting');
    await expectNever('either to start again', async () => ({ once: await harness.service('once'), gaveup: await harness.service('gaveup') }), ({ once, gaveup }) => once.status !== 'stopped' || gaveup.status !== 'errored' || once.instances[0]!.pid !== null || gaveup.instances[0]!.pid !== null, 1_500);
    expect({ once: starts('once'), gaveup: starts('gaveup') }).toEqual(before);
    expect((await harness.service('gaveup')).restarts).toBe(errored.restarts);
    await harness.ok(['delete', 'once']);
    await harness.ok(['delete', 'gaveup']);
  });

  it('balanced services come back on their port with the same instances', async () => {
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'pool', '--instances', '2', '--port', '23190']);
    const before = (await harness.service('pool')).instances.map((instance) => instance.pid);
    await killDaemon();
    const answer = await waitFor('the pool port to answer again', () => httpGet(23190).catch(() => null), (reply) => reply?.status === 200, 10_000);
    expect(before).toContain(JSON.parse(answer!.body).pid);
    expect((await harness.service('pool')).instances.map((instance) => instance.pid)).toEqual(before);
    await harness.ok(['delete', 'pool']);
  });
});

describe('the keeper in a crash loop of the daemon', () => {
  /** Kills daemons until the keeper backs off (it says so in daemon.log); returns the last delay. */
  async function driveIntoBackOff(): Promise<number> {
    for (let round = 0; round < 8; round++) {
      const pid = await waitFor('a daemon', () => harness.daemonPid(), (found) => found !== null && isAlive(found), 40_000);
      process.kill(pid!, 'SIGKILL');
      await waitFor('it to die', () => isAlive(pid!), (alive) => !alive);
      const delay = await waitFor('the keeper to note it', () => /restarting in (\d+) ms \(crash \d+ in a row\)\"\}\n$/.exec(readFileSync(join(harness.home, 'daemon.log'), 'utf8')), Boolean, 10_000);
      if (Number(delay![1]) >= 2_000) return Number(delay![1]);
      await waitFor('the next daemon', answeringDaemon, (found) => found !== null && found !== pid, 40_000);
    }
    throw new Error('the keeper never backed off');
  }

  it('backs off, says so, and a command during the back-off gets a daemon at once (no second keeper)', async () => {
    const delay = await driveIntoBackOff();
    expect(delay).toBeGreaterThanOrEqual(2_000);
    const started = Date.now();
    expect((await harness.ok(['ping'])).stdout).toMatch(/^pong/);
    expect(Date.now() - started).toBeLessThan(delay);
    expect(findKeepers(harness.home)).toHaveLength(1);
  });

  it('`kill` during a back-off stops the services and the keeper, so no daemon comes back later', async () => {
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'steady']);
    const child = (await harness.service('steady')).instances[0]!.pid!;
    const delay = await driveIntoBackOff();
    const keeper = findKeepers(harness.home)[0]!;
    const killed = await harness.ok(['kill']);
    expect(killed.stdout).toMatch(/^daemon \d+ stopped$/m);
    await waitFor('the keeper and the service to exit', () => [keeper, child].filter(isAlive), (alive) => alive.length === 0, 10_000);
    await expectNever('a daemon after the back-off', answeringDaemon, (pid) => pid !== null, delay + 1_000);
  });
});

describe('apictl update', () => {
  it('replaces the daemon with the installed build; services keep their pids and answer throughout', async () => {
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'upd-node']);
    await harness.ok(['start', join(REPO, 'examples/api.py'), '--name', 'upd-py']);
    const before = await harness.list();
    const running = before.filter((service) => service.status === 'online' && service.instances.length === 1 && service.port);
    const loop = requestLoop(running.map((service) => service.port!));
    await loop.answered(20);
    const oldDaemon = harness.daemonPid()!;
    const updated = await harness.ok(['update']);
    expect(updated.stdout).toMatch(new RegExp(`^daemon replaced: pid ${oldDaemon} → (\\d+) \\(apictl [^)]+\\); (\\d+) of \\2 running processes kept their pids\\n$`));
    await loop.answered(40);
    expect((await loop.stop()).failed).toEqual([]);
    expect(harness.daemonPid()).not.toBe(oldDaemon);
    expect(pidsOf(await harness.list())).toEqual(pidsOf(before));
    const ping = await harness.ok(['ping']);
    expect(ping.stdout).toBe(`pong (daemon pid ${harness.daemonPid()})\n`);
  });
});

describe('daemon killed at random instants while services come and go', () => {
  it('leaves no orphan, no duplicate and a state.json that always parses', async () => {
    for (const service of await harness.list()) await harness.ok(['delete', service.name]);
    const names = ['churn0', 'churn1', 'churn2'];
    for (let round = 0; round < 20; round++) {
      const commands = [
        harness.run(['start', join(FIXTURES, 'echo-server.js'), '--name', names[round % 3]!, '--no-wait']),
        harness.run(['delete', names[(round + 1) % 3]!]),
      ];
      await offset(Math.floor(Math.random() * 400));
      const pid = harness.daemonPid();
      if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
      await Promise.all(commands);
      expect(Array.isArray(JSON.parse(readFileSync(join(harness.home, 'state.json'), 'utf8')).services)).toBe(true);
    }
    // After 20 kills in a row the keeper backs off; a command gets a daemon at once.
    await harness.ok(['ping']);
    const listed = await waitFor('every listed service settled', () => harness.list(), (services) => services.every((service) => ['online', 'stopped'].includes(service.status)), 30_000);
    const known = new Set(listed.flatMap((service) => service.instances.map((instance) => instance.pid)).filter(Boolean));
    const marked = await waitFor('no process apictl does not know', () => findMarkedProcesses(harness.home).filter((found) => isAlive(found.pid)), (found) => found.every((item) => known.has(item.pid)), 20_000);
    // One process per listed instance: no duplicate of a service survived a kill.
    for (const service of listed) {
      const mine = marked.filter((found) => found.service === service.name);
      expect(mine.length).toBe(service.instances.filter((instance) => instance.pid !== null).length);
    }
  });
});

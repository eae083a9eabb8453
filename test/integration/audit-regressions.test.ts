import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, FIXTURES, Harness, REPO, httpGet } from '../helpers/harness.js';
import { callDaemon, callDaemonMany } from '../helpers/daemon-socket.js';
import { expectNever, isAlive, waitFor } from '../helpers/wait.js';
import { resizeTmpfs, tmpfsForBlock } from '../helpers/tmpfs.js';
import { findMarkedProcesses } from '../../src/process/supervised-marker.js';
import { findPortHolder } from '../../src/process/port-holder.js';

// Faults a review of the daemon rework found, each pinned by a test that
// failed on the code before the fix (commit c432d0d).
const harness = new Harness(23700);
afterAll(() => harness.cleanup());
const isRoot = process.getuid?.() === 0;

const logOf = (name: string, stream = 'out', home = harness.home) => {
  const path = join(home, 'logs', `${name}.${stream}.log`);
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
};
const numbered = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => {
      const match = /^\S+Z (?:py|n) (\d{7}) [xy]{40} end$/.exec(line);
      if (!match) throw new Error(`torn line: ${JSON.stringify(line.slice(0, 160))}`);
      return Number(match[1]);
    });

async function killDaemonAndWait(home = harness.home): Promise<void> {
  const old = Number(readFileSync(join(home, 'daemon.pid'), 'utf8'));
  process.kill(old, 'SIGKILL');
  await waitFor('a new daemon', async () => (await callDaemon(home, 'ping', {}, 2_000).catch(() => null))?.result as { pid: number } | undefined, (answer) => answer !== undefined && answer.pid !== old, 20_000);
}

describe.runIf(isRoot)('a daemon killed while the disk is full (tmpfs: root)', () => {
  const mount = join(harness.work, 'full');
  const home = join(mount, 'home');
  const run = (args: string[]) => harness.run(args, { env: { APICTL_HOME: home } });
  tmpfsForBlock(harness, mount, '3m', { home, cleanup: false });

  it('loses and tears no line: what the disk refused is still in the journal for the next daemon', async () => {
    expect((await run(['start', join(FIXTURES, 'flood.py'), '--name', 'held', '--no-port', '--env', 'COUNT=70000', '--no-wait'])).code).toBe(0);
    await waitFor('the stall', async () => JSON.parse((await run(['list', '--json'])).stdout)[0].logs.stalled, (stall) => stall !== null, 30_000);
    await killDaemonAndWait(home);
    resizeTmpfs(mount, '64m');
    await waitFor('every line', () => logOf('held', 'out', home), (text) => text.includes('py 0069999'), 60_000);
    expect(numbered(logOf('held', 'out', home))).toEqual(Array.from({ length: 70_000 }, (_, index) => index));
  });
});

describe('takeover after a daemon death', () => {
  it('a reload cut short by the kill leaves no process holding a port that nothing lists', async () => {
    // Each instance takes 2 s to listen: the kill lands while both runs of slot 0 are alive.
    await harness.ok(['start', join(FIXTURES, 'exit-on-signal.js'), '--name', 'pair', '--instances', '2', '--port', '23790', '--env', 'READY_AFTER_MS=2000']);
    const reload = callDaemon(harness.home, 'reload', { target: 'pair' }).catch(() => null);
    await waitFor('a third process of pair', () => findMarkedProcesses(harness.home).filter((found) => found.service === 'pair' && isAlive(found.pid)), (found) => found.length >= 3, 10_000).catch(() => []);
    await killDaemonAndWait();
    await reload;
    const listed = await waitFor('pair online', () => harness.service('pair'), (service) => service.instances.every((instance) => instance.status === 'online'), 20_000);
    const known = new Set(listed.instances.map((instance) => instance.pid));
    await waitFor('only listed processes of pair', () => findMarkedProcesses(harness.home).filter((found) => found.service === 'pair' && isAlive(found.pid)), (found) => found.every((item) => known.has(item.pid)), 20_000);
    expect((await httpGet(23790)).status).toBe(200);
    await harness.ok(['delete', 'pair']);
    expect(findMarkedProcesses(harness.home).filter((found) => found.service === 'pair' && isAlive(found.pid))).toEqual([]);
  });

  it('adopts a process that rewrote its environment (Perl $0), and stops it on delete', async () => {
    await harness.ok(['start', join(FIXTURES, 'retitle.pl'), '--name', 'retitled', '--no-port']);
    const pid = (await harness.service('retitled')).instances[0]!.pid!;
    await waitFor('the new title', () => readFileSync(`/proc/${pid}/cmdline`, 'latin1'), (text) => text.startsWith('retitled worker'));
    await killDaemonAndWait();
    const after = await waitFor('retitled listed', () => harness.service('retitled'), (service) => service.instances[0]!.pid !== null, 20_000);
    expect(after.instances[0]!.pid).toBe(pid);
    expect(after.instances[0]!.adopted).toBe(true);
    await harness.ok(['delete', 'retitled']);
    await waitFor('it to be stopped', () => isAlive(pid), (alive) => !alive, 10_000);
  });
});

describe('logs', () => {
  it('a progress bar (no newline for a long time) costs the daemon writes in proportion to it, not to its tail', async () => {
    await harness.ok(['start', join(FIXTURES, 'progress-bar.js'), '--name', 'bar', '--no-port', '--env', 'UPDATES=20000']);
    const daemon = harness.daemonPid()!;
    const written = () => Number(/^wchar: (\d+)$/m.exec(readFileSync(`/proc/${daemon}/io`, 'utf8'))![1]);
    const before = written();
    await waitFor('the bar to finish', () => logOf('bar'), (text) => text.includes('progress done'), 60_000);
    const barBytes = 20_000 * 58; // "\rprogress NNNNNNN ####…" is 58 bytes
    // Each byte goes to the journal and to the log: about twice. Rewriting the tail per chunk was ~100 times.
    expect(written() - before).toBeLessThan(barBytes * 6);
    await harness.ok(['delete', 'bar']);
  });

  it('a deleted log folder and a rotation before the next check lose no line', async () => {
    const file = join(harness.work, 'rotating.json');
    writeFileSync(file, JSON.stringify({ services: [{ name: 'rot', script: join(FIXTURES, 'counter.js'), port: false, logMaxSize: '64K', logKeep: 50, env: { MODE: 'burst', COUNT: '40000', EVERY_MS: '5' } }] }));
    await harness.ok(['start', file]);
    const logs = join(harness.home, 'logs');
    await waitFor('lines flowing', () => logOf('rot'), (text) => text.includes('n 0'));
    // As `rm -rf` while the daemon writes: a file it opens meanwhile makes rmdir fail (ENOTEMPTY), so try again.
    rmSync(logs, { recursive: true, force: true, maxRetries: 20, retryDelay: 5 });
    // ~3 s of writing (625 bursts 5 ms apart): the folder goes while lines still flow, or the test proves nothing.
    await waitFor('the last line', () => logOf('rot'), (text) => text.includes('n 0039999'), 60_000);
    const files = Array.from({ length: 50 }, (_, index) => join(logs, `rot.out.log.${50 - index}`)).filter(existsSync);
    const numbers = [...files, join(logs, 'rot.out.log')].flatMap((path) => numbered(readFileSync(path, 'utf8')));
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, index) => numbers[0]! + index));
    await harness.ok(['delete', 'rot']);
  });
});

/** A keeper in a fresh home whose "daemon" is test/fixtures/stub-daemon.js, once the stub is up. */
async function keeperWithStub(name: string) {
  const home = join(harness.work, name);
  mkdirSync(home, { mode: 0o700 });
  const keeper = spawn('bash', [join(REPO, 'bin/apictl-keeper')], {
    env: { ...process.env, APICTL_HOME: home, APICTL_DAEMON_ENTRY: join(FIXTURES, 'stub-daemon.js'), APICTL_NODE: process.execPath },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => keeper.once('exit', resolve));
  await waitFor('the stub up', () => existsSync(join(home, 'stub-starts')), Boolean);
  return { home, keeper, exited };
}

describe('the keeper', () => {
  it('does not restart a daemon that exits cleanly while a USR1 from it is being handled', async () => {
    for (let round = 0; round < 6; round++) {
      const { home, keeper, exited } = await keeperWithStub(`keeper-${round}`);
      // USR1s while the stub exits 0: the wait the trap interrupts must not be taken for its status.
      const burst = setInterval(() => keeper.kill('SIGUSR1'), 1);
      writeFileSync(join(home, 'go'), '');
      const code = await exited;
      clearInterval(burst);
      expect(code).toBe(0);
      expect(readFileSync(join(home, 'stub-starts'), 'utf8').trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('the keeper under a storm of signals', () => {
  it('never takes a running daemon for a dead one, whenever a USR1 or USR2 lands', async () => {
    const { home, keeper, exited } = await keeperWithStub('keeper-storm');
    // What the daemon (USR1: FIFOs changed) and CLIs (USR2: wake up) send, as fast as they come, for a while.
    let sent = 0;
    const storm = setInterval(() => {
      for (let burst = 0; burst < 5; burst++) keeper.kill(++sent % 2 ? 'SIGUSR1' : 'SIGUSR2');
    }, 1);
    try {
      await waitFor('4,000 signals sent', () => sent, (count) => count >= 4_000, 60_000);
    } finally {
      clearInterval(storm);
    }
    const starts = readFileSync(join(home, 'stub-starts'), 'utf8').trim().split('\n').length;
    const log = existsSync(join(home, 'daemon.log')) ? readFileSync(join(home, 'daemon.log'), 'utf8') : '';
    // Every stub exits 0 once "go" exists (a second one too, on the old keeper): the keeper then ends.
    writeFileSync(join(home, 'go'), '');
    const code = await exited;
    expect({ starts, log, code }).toEqual({ starts: 1, log: '', code: 0 });
  });
});

describe('symlinks planted where apictl writes', () => {
  it('daemon.pid, keeper.pid and dump.json.bak are never written through', async () => {
    const victim = join(harness.work, 'victim');
    writeFileSync(victim, 'keep me');
    await harness.ok(['ping']); // the home exists, with a daemon and keeper that then stop
    await harness.ok(['kill']);
    for (const name of ['daemon.pid', 'keeper.pid']) {
      rmSync(join(harness.home, name), { force: true });
      symlinkSync(victim, join(harness.home, name));
    }
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'sym']);
    await harness.ok(['save']);
    rmSync(join(harness.home, 'dump.json.bak'), { force: true });
    symlinkSync(victim, join(harness.home, 'dump.json.bak'));
    await harness.ok(['save']);
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    expect(lstatSync(join(harness.home, 'dump.json.bak')).isSymbolicLink()).toBe(false);
    expect(lstatSync(join(harness.home, 'daemon.pid')).isSymbolicLink()).toBe(false);
    expect(lstatSync(join(harness.home, 'keeper.pid')).isSymbolicLink()).toBe(false);
    await harness.ok(['delete', 'sym']);
  });
});

describe.runIf(isRoot)('one daemon per home (unshare: root)', () => {
  it('refuses a second daemon for the same home in another network namespace', async () => {
    await harness.ok(['ping']);
    // Another network namespace has its own abstract sockets: the lock alone would not see the first daemon.
    const second = spawnSync('unshare', ['-n', process.execPath, BIN, 'daemon'], { env: harness.env, encoding: 'utf8', timeout: 20_000 });
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/a daemon is already running/);
  }, 30_000);
});

describe('lifecycle', () => {
  it('a start that arrives while the service is stopping runs after the stop: the service ends online', async () => {
    await harness.ok(['start', join(FIXTURES, 'ignore-sigterm.js'), '--name', 'late', '--kill-timeout', '500']);
    const [stopped, started] = await callDaemonMany(harness.home, [
      ['stop', { target: 'late' }],
      ['start', { cwd: harness.work, service: { script: join(FIXTURES, 'ignore-sigterm.js'), name: 'late', killTimeout: 500 } }],
    ]);
    expect(stopped!.ok).toBe(true);
    expect(started!.ok).toBe(true);
    await expectNever('late stopped after its start', async () => (await harness.service('late')).status, (status) => status === 'stopped', 1_000);
    expect(findPortHolder((await harness.service('late')).port!)).not.toBeNull();
    await harness.ok(['delete', 'late']);
  });
});

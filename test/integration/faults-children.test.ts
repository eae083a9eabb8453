import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness } from '../helpers/harness.js';
import { isAlive, waitFor } from '../helpers/wait.js';

// SPEC §12: a grandchild that left the service's process group (setsid) is
// stopped with its service on stop, restart, delete and kill; restarts apictl
// decides itself (a failing health check) back off and give up like crashes;
// inheritEnv: false gives a service a clean environment; what the keeper sets
// for the daemon alone (MALLOC_ARENA_MAX) is not passed on.
const harness = new Harness(23600);
afterAll(() => harness.cleanup());

const pidsIn = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number) : []);

describe('a grandchild in a session of its own (setsid)', () => {
  const pidFile = join(harness.work, 'escaped.pids');
  const escaped = async (count: number) => {
    const pids = await waitFor(`${count} escaped grandchildren`, () => pidsIn(pidFile), (found) => found.length >= count);
    for (const pid of pids) harness.trackPid(pid);
    return pids[count - 1]!;
  };
  const gone = (pid: number) => waitFor(`escaped pid ${pid} to be stopped`, () => isAlive(pid), (alive) => !alive, 15_000);

  it('is stopped by stop, by restart, by delete and by kill', async () => {
    const start = () => harness.ok(['start', join(FIXTURES, 'setsid-grandchild.js'), '--name', 'escapee', '--port', '23610', '--', pidFile]);
    await start();
    const first = await escaped(1);
    expect(isAlive(first)).toBe(true);
    await harness.ok(['stop', 'escapee']);
    await gone(first);

    await harness.ok(['start', 'escapee']);
    const second = await escaped(2);
    await harness.ok(['restart', 'escapee']);
    await gone(second);

    const third = await escaped(3);
    await harness.ok(['delete', 'escapee']);
    await gone(third);

    await start();
    const fourth = await escaped(4);
    await harness.ok(['kill']);
    await gone(fourth);
  });
});

describe('restarts apictl decides itself', () => {
  it('a health check that keeps failing backs off between restarts and gives up as errored, saying why', async () => {
    const file = join(harness.work, 'unhealthy.json');
    writeFileSync(file, JSON.stringify({
      services: [{ name: 'sick', script: join(FIXTURES, 'health-fail.js'), port: 23611, maxRestarts: 5, restartDelay: 100, env: { HEALTHY_MS: '400' }, health: { path: '/health', interval: '100ms', failures: 1 } }],
    }));
    await harness.ok(['start', file]);
    const errored = await waitFor('sick to give up', () => harness.service('sick'), (service) => service.status === 'errored', 60_000);
    expect(errored.instances[0]!.restarts).toBe(4); // maxRestarts counts failures in a row: 5, so 4 restarts
    expect(errored.instances[0]!.reason).toMatch(/health/i);
    const notes = readFileSync(join(harness.home, 'logs', 'sick.err.log'), 'utf8');
    // Each restart waits longer than the one before (back-off), as after a crash.
    const delays = [...notes.matchAll(/restarting in (\d+)ms/g)].map((match) => Number(match[1]));
    expect(delays.length).toBeGreaterThanOrEqual(2);
    for (let index = 1; index < delays.length; index++) expect(delays[index]).toBeGreaterThan(delays[index - 1]!);
    expect(notes).toMatch(/giving up/);
    await harness.ok(['delete', 'sick']);
  });
});

describe('inheritEnv: false', () => {
  it("gives the service only PATH, HOME, locale and the like from the daemon's environment, plus its own env and apictl's", async () => {
    const out = join(harness.work, 'env.json');
    const file = join(harness.work, 'clean.json');
    writeFileSync(file, JSON.stringify({ services: [{ name: 'clean', script: join(FIXTURES, 'print-env.js'), args: [out], port: false, inheritEnv: false, env: { MINE: 'yes' } }] }));
    // Something only the daemon's environment has: a clean service must not see it.
    await harness.ok(['kill']);
    await harness.ok(['start', file], { env: { LEAKY_SECRET: 'from-the-shell' } });
    const env = await waitFor('the env file', () => (existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : null), (found) => found !== null) as Record<string, string>;
    expect(env.LEAKY_SECRET).toBeUndefined();
    expect(env.MINE).toBe('yes');
    expect(env.PATH).toBe(process.env.PATH);
    expect(env.APICTL_NAME).toBe('clean');
    // PYTHONUNBUFFERED: apictl gives every child, so Python output arrives at once.
    const allowed = new Set(['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'MINE', 'PORT', 'PYTHONUNBUFFERED']);
    expect(Object.keys(env).filter((key) => !allowed.has(key) && !key.startsWith('APICTL_'))).toEqual([]);
    await harness.ok(['delete', 'clean']);
  });
});

describe("the daemon's own malloc settings", () => {
  it('the keeper gives the daemon one arena and early mmap/trim, services inherit none of it, and a value of the user is passed on', async () => {
    const out = join(harness.work, 'arena-env.json');
    const file = join(harness.work, 'arena.json');
    writeFileSync(file, JSON.stringify({ services: [{ name: 'arena', script: join(FIXTURES, 'print-env.js'), args: [out], port: false }] }));
    const childEnv = async () => {
      const env = await waitFor('the env file', () => (existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : null), (found) => found !== null) as Record<string, string>;
      rmSync(out);
      return env;
    };
    const daemonEnv = () => readFileSync(`/proc/${harness.daemonPid()}/environ`, 'latin1').split('\0');
    await harness.ok(['kill']);
    const keepers = ['MALLOC_ARENA_MAX=1', 'MALLOC_MMAP_THRESHOLD_=32768', 'MALLOC_TRIM_THRESHOLD_=32768', 'MALLOC_TOP_PAD_=0'];
    const unset = Object.fromEntries(keepers.map((entry) => [entry.split('=')[0], undefined]));
    await harness.ok(['start', file], { env: { ...unset, GLIBC_TUNABLES: undefined } });
    for (const entry of keepers) expect(daemonEnv()).toContain(entry);
    const env = await childEnv();
    expect(env.APICTL_NAME).toBe('arena');
    expect(Object.keys(env).filter((key) => key.startsWith('MALLOC_') || key.startsWith('APICTL_OWN_'))).toEqual([]);
    await harness.ok(['kill']);
    await harness.ok(['start', file], { env: { ...unset, GLIBC_TUNABLES: undefined, MALLOC_ARENA_MAX: '4' } });
    expect(daemonEnv()).toContain('MALLOC_ARENA_MAX=4');
    expect(daemonEnv()).toContain('MALLOC_TOP_PAD_=0');
    const mixed = await childEnv();
    expect(mixed.MALLOC_ARENA_MAX).toBe('4');
    expect(mixed.MALLOC_TOP_PAD_).toBeUndefined();
    await harness.ok(['kill']);
    // The user tuned glibc's malloc through its tunables: the keeper adds nothing of its own.
    await harness.ok(['start', file], { env: { ...unset, GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' } });
    expect(daemonEnv().filter((entry) => entry.startsWith('MALLOC_'))).toEqual([]);
    expect((await childEnv()).GLIBC_TUNABLES).toBe('glibc.malloc.arena_max=2');
    await harness.ok(['delete', 'arena']);
  });
});

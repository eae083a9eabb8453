import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness } from '../helpers/harness.js';
import { resizeTmpfs, tmpfsForBlock } from '../helpers/tmpfs.js';
import { waitFor } from '../helpers/wait.js';

// SPEC §6/§12: a full disk, a deleted log folder, an unwritable daemon.log:
// no line torn or silently dropped, the daemon keeps answering, writing
// resumes by itself. The tmpfs tests need root (mount); CI runs as root.
const isRoot = process.getuid?.() === 0;

const lineRe = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (?:py|n) (\d{7}) [xy]{40} end$/;
function numbersIn(text: string): number[] {
  return text
    .trimEnd()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const match = lineRe.exec(line);
      if (!match) throw new Error(`torn or unstamped line: ${JSON.stringify(line.slice(0, 200))}`);
      return Number(match[1]);
    });
}

describe.runIf(isRoot)('disk full (a 3 MB tmpfs as APICTL_HOME)', () => {
  const harness = new Harness(23200);
  const mount = join(harness.work, 'small');
  const home = join(mount, 'home');
  const run = (args: string[]) => harness.run(args, { env: { APICTL_HOME: home } });
  tmpfsForBlock(harness, mount, '3m', { home });

  it('holds a flooding service back while the disk is full, says why, keeps answering, and writes every line once space is back', async () => {
    // ~5 MB of lines into 3 MB: the disk fills in the middle of the flood.
    const started = await run(['start', join(FIXTURES, 'flood.py'), '--name', 'flood', '--no-port', '--env', 'COUNT=80000', '--no-wait']);
    expect(started.code).toBe(0);
    const stalled = await waitFor(
      'the logs to stall',
      async () => JSON.parse((await run(['list', '--json'])).stdout)[0].logs.stalled,
      (stall) => stall !== null,
      30_000,
    );
    expect(stalled.reason).toMatch(/^disk full \(ENOSPC\) writing .*flood\.out\.log$/);
    // The daemon answers while its children are held back.
    expect((await run(['ping'])).code).toBe(0);
    const shown = await run(['show', 'flood']);
    expect(shown.stdout).toMatch(/logs stalled for \d+s: disk full \(ENOSPC\)/);
    const listed = await run(['list']);
    expect(listed.stdout).toMatch(/flood: logs stalled/);
    // Space comes back: nobody types anything, the writing resumes by itself.
    resizeTmpfs(mount, '64m');
    await waitFor('every line on disk', () => readFileSync(join(home, 'logs/flood.out.log'), 'utf8'), (text) => text.includes('py 0079999'), 60_000);
    expect(numbersIn(readFileSync(join(home, 'logs/flood.out.log'), 'utf8'))).toEqual(Array.from({ length: 80_000 }, (_, index) => index));
    await waitFor('the stall to clear', async () => JSON.parse((await run(['list', '--json'])).stdout)[0].logs.stalled, (stall) => stall === null);
    expect(readFileSync(join(home, 'daemon.log'), 'utf8')).toMatch(/"msg":"logs resumed"/);
  });
});

describe('an unwritable daemon.log and a deleted log folder', () => {
  const harness = new Harness(23250);
  afterAll(() => harness.cleanup());

  it('runs, answers and exits with daemon.log a symlink to /dev/full, which it never writes through', async () => {
    mkdirSync(harness.home, { recursive: true, mode: 0o700 });
    symlinkSync('/dev/full', join(harness.home, 'daemon.log'));
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'quiet']);
    expect((await harness.ok(['ping'])).stdout).toMatch(/^pong/);
    const killed = await harness.run(['kill'], { timeoutMs: 20_000 });
    expect(killed.code).toBe(0);
    expect(killed.stdout).toMatch(/stopped/);
    expect(lstatSync(join(harness.home, 'daemon.log')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(harness.home, 'daemon.log'))).toBe('/dev/full');
    rmSync(join(harness.home, 'daemon.log'));
  });

  it('recreates a deleted logs folder (0700) and carries on: every line after the deletion, whole', async () => {
    await harness.ok(['start', join(FIXTURES, 'counter.js'), '--name', 'survivor', '--no-port', '--env', 'MODE=burst', '--env', 'COUNT=64000', '--env', 'EVERY_MS=2']);
    const logs = join(harness.home, 'logs');
    await waitFor('lines flowing', () => (existsSync(join(logs, 'survivor.out.log')) ? readFileSync(join(logs, 'survivor.out.log'), 'utf8') : ''), (text) => text.includes('n 0010000'));
    // As `rm -rf` while the daemon writes: a file it opens meanwhile makes rmdir fail (ENOTEMPTY), so try again.
    rmSync(logs, { recursive: true, force: true, maxRetries: 20, retryDelay: 5 });
    await waitFor('the folder back', () => existsSync(join(logs, 'survivor.out.log')), Boolean, 10_000);
    expect(statSync(logs).mode & 0o777).toBe(0o700);
    await waitFor('the last line', () => readFileSync(join(logs, 'survivor.out.log'), 'utf8'), (text) => text.includes('n 0063999'), 60_000);
    const numbers = numbersIn(readFileSync(join(logs, 'survivor.out.log'), 'utf8'));
    // What was written before the deletion went with it; from the first line kept on, none is missing.
    expect(numbers[0]).toBeLessThanOrEqual(Number(numbers.at(-1)));
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, index) => numbers[0]! + index));
    expect(numbers.at(-1)).toBe(63_999);
  });

  it('rotates daemon.log by size', async () => {
    await harness.ok(['kill']);
    const env = { APICTL_DAEMON_LOG_MAX_SIZE: '2K' };
    for (let round = 0; round < 6; round++) {
      await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', `rot${round}`], { env });
      await harness.ok(['delete', `rot${round}`], { env });
    }
    expect(existsSync(join(harness.home, 'daemon.log.1'))).toBe(true);
    expect(statSync(join(harness.home, 'daemon.log')).size).toBeLessThanOrEqual(2048 + 1024);
  });
});

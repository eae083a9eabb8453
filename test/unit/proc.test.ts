import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readEnviron, readProcStat } from '../../src/process/proc.js';

// /proc files go through one reused buffer (src/process/proc.ts): a read must
// still return the whole file, however large, and a small one after it.
describe('/proc reads', () => {
  let child: ChildProcess | null = null;
  afterEach(() => {
    if (child?.pid && child.exitCode === null) child.kill('SIGKILL');
    child = null;
  });

  it('an environment larger than the buffer comes back whole, and the next read is right too', async () => {
    // One variable may be 128 KiB at most (MAX_ARG_STRLEN): three make ~180 KB.
    const big = 'x'.repeat(60_000) + 'END';
    child = spawn('sleep', ['30'], { env: { BIG1: big, BIG2: big, BIG3: big, AFTER: 'yes' }, stdio: 'ignore' });
    await new Promise((resolve) => child!.once('spawn', resolve));
    const environ = readEnviron(child.pid!)!;
    for (const name of ['BIG1', 'BIG2', 'BIG3']) expect(environ).toContain(`${name}=${big}\0`);
    expect(environ.length).toBeGreaterThan(180_000);
    expect(environ).toContain('AFTER=yes\0');
    const stat = readProcStat(child.pid!)!;
    expect(stat.ppid).toBe(process.pid);
    expect(readEnviron(process.pid)).toContain(`PATH=${process.env.PATH}`);
  });

  it('a process that is gone reads as null', async () => {
    child = spawn('true', [], { stdio: 'ignore' });
    const pid = child.pid!;
    await new Promise((resolve) => child!.once('exit', resolve));
    // Reaped by Node on exit: its /proc entry is gone.
    expect(readProcStat(pid)).toBeNull();
    expect(readEnviron(pid)).toBeNull();
  });
});

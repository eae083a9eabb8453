import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CARRY_CHUNK_MAX, CarryFile } from '../../src/logs/carry.js';
import { ServiceLogSink } from '../../src/logs/service-log-sink.js';
import type { Stall } from '../../src/logs/log-file.js';
import { makeFifos, openFifoReader } from '../../src/process/fifo.js';
import { expectNever } from '../helpers/wait.js';

// A journal on a disk that has just filled up must still keep the chunk the
// daemon is handling, whole; and with no room for the next one, the daemon
// must stop reading rather than hold a chunk only in memory. Real tmpfs (root).
const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot)('the intake journal on a full disk (tmpfs: root)', () => {
  const work = mkdtempSync(join(tmpdir(), 'apictl-carryfull-'));
  const mount = join(work, 'disk');
  const filler = join(mount, 'filler');
  beforeAll(() => {
    mkdirSync(mount);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', mount]);
  });
  afterAll(() => {
    try {
      execFileSync('umount', [mount]);
    } catch {
      execFileSync('umount', ['-l', mount]);
    }
    rmSync(work, { recursive: true, force: true });
  });

  /** Writes zeros into `filler` until the disk refuses: every byte is taken. */
  function fillDisk(): void {
    const fd = openSync(filler, 'a');
    const block = Buffer.alloc(4096);
    try {
      for (;;) writeSync(fd, block);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    } finally {
      closeSync(fd);
    }
  }

  it('keeps each chunk whole after the disk filled, and says when there is no room for another', () => {
    const path = join(mount, 'x.carry');
    const file = new CarryFile(path);
    expect(file.commit(4, false, { size: 0, ino: 1 }, () => Buffer.from('tail'))).toBe(true);
    fillDisk();
    const first = Buffer.alloc(CARRY_CHUNK_MAX - 4096, 0x61);
    const second = Buffer.alloc(CARRY_CHUNK_MAX - 4096, 0x62);
    expect(file.append(first)).toBe(true);
    expect(CarryFile.load(path)).toMatchObject({ tail: Buffer.from('tail'), pending: first });
    // The second fits the room written ahead; the disk has none for a third.
    expect(file.append(second)).toBe(false);
    expect(file.ready).toBe(false);
    expect(file.problem?.reason).toMatch(/^disk full \(ENOSPC\) writing .*x\.carry$/);
    expect(CarryFile.load(path)!.pending.equals(Buffer.concat([first, second]))).toBe(true);
    rmSync(filler);
    expect(file.makeRoom()).toBe(true);
    expect(file.problem).toBeNull();
    file.remove();
  });

  it('a sink that cannot make a journal reads nothing, says why, and writes every line once space is back', async () => {
    const dir = join(mount, 'svc');
    mkdirSync(dir);
    const fifo = join(dir, 'svc.0.abcdefabcdef.out');
    await makeFifos([fifo]);
    const stalls: Array<Stall | null> = [];
    const sink = new ServiceLogSink('svc', { out: join(dir, 'svc.out.log'), err: join(dir, 'svc.err.log') }, { maxBytes: 1 << 20, keep: 1 }, {
      multiInstance: false, stamp: false, maxLineBytes: 1 << 20, emit: () => undefined, hasListeners: () => false, onStall: (stall) => stalls.push(stall),
    });
    fillDisk();
    const reader = openFifoReader(fifo);
    const writer = openSync(fifo, 'w');
    const source = sink.attach(0, 'out', fifo, reader, `${fifo}.carry`);
    expect(sink.stall()?.reason).toMatch(/^disk full \(ENOSPC\) writing .*svc\.0\.abcdefabcdef\.out\.carry$/);
    const lines = Array.from({ length: 500 }, (_, index) => `line ${String(index).padStart(4, '0')}\n`).join('');
    writeSync(writer, lines);
    closeSync(writer);
    // Nothing is read while there is no journal: the lines wait in the pipe (the kernel's), not in the daemon.
    await expectNever('the stall to clear while the disk is full', () => sink.stall(), (stall) => stall === null, 300);
    rmSync(filler);
    await sink.finish(source);
    sink.close();
    expect(readFileSync(join(dir, 'svc.out.log'), 'utf8')).toBe(lines);
    expect(stalls.at(-1)).toBeNull();
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineCutter, charBoundary, type Segment } from '../../src/logs/line-cutter.js';
import { splitBlock, stampSegments } from '../../src/logs/stamp.js';
import { CarryFile, decodeCarry, encodeCarryHeader, salvageCarry } from '../../src/logs/carry.js';
import { planResume } from '../../src/logs/resume-plan.js';
import { lastLineInstance, readLastLines, readLastLinesRotated } from '../../src/logs/tail.js';
import { LogFile } from '../../src/logs/log-file.js';
import { DaemonLog } from '../../src/daemon/daemon-log.js';
import { ServiceLogSink } from '../../src/logs/service-log-sink.js';
import { makeFifos, openFifoReader } from '../../src/process/fifo.js';
import { OutputPipe, batchWaitMs } from '../../src/logs/output-pipe.js';

const work = mkdtempSync(join(tmpdir(), 'apictl-logunit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const text = (segments: Segment[]) => segments.map((segment) => `${segment.continued ? '+' : ''}${segment.data.toString('utf8')}`);

describe('LineCutter', () => {
  it('keeps partial lines (even a split character) until their newline, and ends with a final unterminated line', () => {
    const cutter = new LineCutter(100);
    expect(text(cutter.push(Buffer.from('one\r\ntw')))).toEqual(['one\r\n']);
    expect(text(cutter.push(Buffer.from('o\nthr')))).toEqual(['two\n']);
    expect(cutter.push(Buffer.from([0xe2, 0x9c]))).toEqual([]);
    expect(text(cutter.push(Buffer.from([0x93, 0x0a])))).toEqual(['thr✓\n']);
    expect(cutter.push(Buffer.from('last'))).toEqual([]);
    expect(cutter.pending.data.toString()).toBe('last');
    expect(text([cutter.end()!])).toEqual(['last\n']);
    expect(cutter.end()).toBeNull();
  });

  it('cuts a line longer than the cap into pieces of the cap, later ones marked continued', () => {
    const cutter = new LineCutter(4);
    expect(text(cutter.push(Buffer.from('abcdefghij\nxy')))).toEqual(['abcd\n', '+efgh\n', '+ij\n']);
    expect(text(cutter.push(Buffer.from('z')))).toEqual([]);
    expect(text(cutter.push(Buffer.from('zzz\n')))).toEqual(['xyzz\n', '+zz\n']);
    expect(text(cutter.push(Buffer.from('1234\n')))).toEqual(['1234\n']);
  });

  it('cuts output that never ends a line as it arrives, so a partial line never grows past the cap', () => {
    const cutter = new LineCutter(1000);
    let pieces = 0;
    for (let chunk = 0; chunk < 200; chunk++) pieces += cutter.push(Buffer.alloc(256, 0x2e)).length;
    expect(pieces).toBe(51); // 51,200 bytes in 1,000-byte pieces
    expect(cutter.pending.data.length).toBe(200);
    expect(cutter.pending.continued).toBe(true);
  });

  it('never splits a UTF-8 character when cutting', () => {
    const snowman = Buffer.from('☃'); // 3 bytes
    expect(charBoundary(Buffer.concat([Buffer.from('a'), snowman]), 2)).toBe(1);
    const cutter = new LineCutter(4);
    const pieces = cutter.push(Buffer.from('ab☃☃\n'));
    expect(pieces.map((piece) => piece.data.toString('utf8'))).toEqual(['ab\n', '☃\n', '☃\n']);
  });

  it('resumes a tail a previous daemon carried', () => {
    const cutter = new LineCutter(100);
    cutter.restore(Buffer.from('half a '), false);
    expect(text(cutter.push(Buffer.from('line\n')))).toEqual(['half a line\n']);
  });

  it('takes linear time on 64 KB chunks without newlines (a 1 MiB cap)', () => {
    const cutter = new LineCutter();
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    let bytes = 0;
    // 64 MiB through (a quadratic cutter would not finish within the test's timeout).
    for (let index = 0; index < 1024; index++) for (const segment of cutter.push(chunk)) bytes += segment.data.length;
    // 63 full pieces of 1 MiB, each given a newline; the 64th MiB waits for more.
    expect(bytes).toBe(63 * (1024 * 1024 + 1));
    expect(cutter.pending.data.length).toBe(1024 * 1024);
  });
});

describe('stamping', () => {
  it('splits, prefixes and marks blocks, keeping UTF-8 bytes intact', () => {
    expect(splitBlock(Buffer.from('a\r\nb\n\nc\n'))).toEqual(['a', 'b', '', 'c']);
    const iso = '2026-12-01T10:00:00.000Z';
    expect(stampSegments([{ data: Buffer.from('a\r\n\nb ✓\n'), continued: false }], iso, null).toString('utf8')).toBe(`${iso} a\n${iso} \n${iso} b ✓\n`);
    const plain = Buffer.from('a\nb ✓\n');
    expect(stampSegments([{ data: plain, continued: false }], null, null)).toBe(plain);
    expect(stampSegments([{ data: Buffer.from('a\r\nb\n'), continued: false }], null, null).toString()).toBe('a\nb\n');
    expect(stampSegments([{ data: Buffer.from('rest\nnext\n'), continued: true }], iso, 1).toString()).toBe(`${iso}+ [1] rest\n${iso} [1] next\n`);
    expect(stampSegments([{ data: Buffer.from('a\n'), continued: false }, { data: Buffer.from('b\n'), continued: true }], null, null).toString()).toBe('a\n+ b\n');
  });

  it('builds every stamped chunk in one shared buffer, and a chunk larger than it in one of its own', () => {
    const iso = '2026-12-01T10:00:00.000Z';
    const first = stampSegments([{ data: Buffer.from('one\n'), continued: false }], iso, null);
    const second = stampSegments([{ data: Buffer.from('two\n'), continued: false }], iso, null);
    expect(second.buffer).toBe(first.buffer); // the shared buffer: valid until the next call
    expect(second.toString()).toBe(`${iso} two\n`);
    const short = Buffer.from('x\n'.repeat(32 * 1024)); // 64 KB of one-letter lines: ~0.9 MB stamped
    const big = stampSegments([{ data: short, continued: false }], iso, 3);
    expect(big.buffer).not.toBe(first.buffer);
    expect(big.length).toBe(32 * 1024 * `${iso} [3] x\n`.length);
    expect(stampSegments([{ data: Buffer.from('three\n'), continued: false }], iso, null).toString()).toBe(`${iso} three\n`);
  });
});

describe('carry files', () => {
  const position = { size: 10, ino: 7 };
  it('keep the committed tail, then each chunk appended after it; a commit only moves the header', () => {
    const path = join(work, 'x.carry');
    const file = new CarryFile(path);
    file.commit(5, false, position, () => Buffer.from('half '));
    expect(CarryFile.load(path)).toMatchObject({ ...position, continued: false, tail: Buffer.from('half '), pending: Buffer.alloc(0) });
    file.append(Buffer.from('a line\nnext'));
    expect(CarryFile.load(path)).toMatchObject({ tail: Buffer.from('half '), pending: Buffer.from('a line\nnext') });
    const size = statSync(path).size;
    file.commit(4, true, { size: 30, ino: 7 }, () => Buffer.from('next'));
    expect(statSync(path).size).toBe(size); // append-only: nothing rewritten but the header
    expect(CarryFile.load(path)).toMatchObject({ size: 30, continued: true, tail: Buffer.from('next'), pending: Buffer.alloc(0) });
    file.append(Buffer.from('\n'));
    file.commit(0, false, { size: 35, ino: 7 }, () => Buffer.alloc(0));
    expect(CarryFile.load(path)).toMatchObject({ tail: Buffer.alloc(0), pending: Buffer.alloc(0) });
    file.remove();
    expect(existsSync(path)).toBe(false);
  });

  it('reuses its own space: after 32 MB through it the file is a few hundred KB, and the tail is whole', () => {
    const path = join(work, 'big.carry');
    const file = new CarryFile(path);
    file.commit(0, false, position, () => Buffer.alloc(0));
    const chunk = Buffer.alloc(64 * 1024, 0x78);
    for (let index = 0; index < 500; index++) {
      expect(file.append(chunk)).toBe(true);
      chunk[chunk.length - 1] = 0x30 + (index % 10);
      file.commit(100, true, position, () => chunk.subarray(chunk.length - 100));
    }
    expect(statSync(path).size).toBeLessThan(400 * 1024);
    expect(CarryFile.load(path)).toMatchObject({ tail: chunk.subarray(chunk.length - 100), continued: true, pending: Buffer.alloc(0) });
    file.remove();
  });

  it('goes on with the journal a previous daemon left, in place', () => {
    const path = join(work, 'adopted.carry');
    const first = new CarryFile(path);
    first.commit(5, false, position, () => Buffer.from('half '));
    first.append(Buffer.from('line\nnext'));
    first.close();
    const size = statSync(path).size;
    const second = new CarryFile(path);
    second.adopt();
    expect(second.ready).toBe(true);
    second.rebase({ size: 99, ino: 7 });
    expect(CarryFile.load(path)).toMatchObject({ size: 99, tail: Buffer.from('half '), pending: Buffer.from('line\nnext') });
    second.commit(4, false, { size: 120, ino: 7 }, () => Buffer.from('next'));
    expect(CarryFile.load(path)).toMatchObject({ size: 120, tail: Buffer.from('next'), pending: Buffer.alloc(0) });
    expect(statSync(path).size).toBe(size);
    second.remove();
  });

  it('finds a chunk whose header write a kill cut off by its trailer, and takes no torn or stale one', () => {
    const path = join(work, 'trailer.carry');
    const file = new CarryFile(path);
    file.commit(5, false, { size: 10, ino: 7 }, () => Buffer.from('half '));
    const headerBefore = Buffer.from(readFileSync(path).subarray(0, 128));
    file.append(Buffer.from('line\nrest'));
    file.close();
    const bytes = readFileSync(path);
    expect(decodeCarry(bytes)).toMatchObject({ size: 10, ino: 7, tail: Buffer.from('half '), pending: Buffer.from('line\nrest') });
    // Killed after the chunk's write, before the header's: the trailer after the chunk says what the header would have.
    const killed = Buffer.from(bytes);
    headerBefore.copy(killed, 0);
    expect(decodeCarry(killed)).toMatchObject({ size: 10, ino: 7, tail: Buffer.from('half '), pending: Buffer.from('line\nrest') });
    // The chunk's write torn (a byte of it missing): not taken, what the header says stands.
    const torn = Buffer.from(killed);
    torn[128 + 5 + 8] = 0;
    expect(decodeCarry(torn)).toMatchObject({ tail: Buffer.from('half '), pending: Buffer.alloc(0) });
    // A trailer from an earlier pass over the same bytes (the header's sequence number is past it): not taken.
    const stale = Buffer.from(killed);
    encodeCarryHeader({ size: 10, ino: 7, tailStart: 128, end: 133, dataEnd: 133, continued: false }, 1).copy(stale, 0);
    expect(decodeCarry(stale)).toMatchObject({ tail: Buffer.from('half '), pending: Buffer.alloc(0) });
    // The next daemon goes on from the chunk the trailer gave.
    const next = new CarryFile(path);
    writeFileSync(path, killed);
    next.adopt();
    next.append(Buffer.from('!\n'));
    next.close();
    expect(decodeCarry(readFileSync(path))).toMatchObject({ tail: Buffer.from('half '), pending: Buffer.from('line\nrest!\n') });
  });

  it('reads garbage as no carry, and the format before the room ahead (v2) as it was', () => {
    expect(decodeCarry(Buffer.from('garbage'))).toBeNull();
    const header = (fields: object) => Buffer.from(`${JSON.stringify(fields).padEnd(127)}\n`);
    expect(decodeCarry(Buffer.concat([encodeCarryHeader({ size: 1, ino: 2, tailStart: 128, end: 131, dataEnd: 134, continued: true }), Buffer.from('abcdef\0\0\0')]))).toMatchObject({ tail: Buffer.from('abc'), pending: Buffer.from('def') });
    expect(decodeCarry(Buffer.concat([encodeCarryHeader({ size: 1, ino: 2, tailStart: 128, end: 131, dataEnd: 999, continued: false }), Buffer.from('abc')]))).toBeNull();
    expect(decodeCarry(Buffer.concat([header({ v: 2, size: 1, ino: 2, tailStart: 128, end: 131 }), Buffer.from('abcdef')]))).toMatchObject({ tail: Buffer.from('abc'), pending: Buffer.from('def') });
  });

  it('does not write through a planted symlink', () => {
    const target = join(work, 'victim');
    writeFileSync(target, 'keep me');
    symlinkSync(target, join(work, 'planted.carry'));
    const file = new CarryFile(join(work, 'planted.carry'));
    file.commit(1, false, { size: 0, ino: 0 }, () => Buffer.from('x'));
    file.append(Buffer.from('y'));
    expect(readFileSync(target, 'utf8')).toBe('keep me');
  });
});

describe('planResume', () => {
  const stamped = (segments: Segment[]) => segments.reduce((sum, segment) => sum + segment.data.length, 0); // no prefix
  const carried = (pending: string) => ({ size: 100, ino: 1, continued: false, tail: Buffer.from('half '), pending: Buffer.from(pending) });
  const text = (plan: ReturnType<typeof planResume>) => ({ tail: plan.tail.toString(), write: plan.write.map((segment) => segment.data.toString()), truncateTo: plan.truncateTo });

  it.each([
    ['no carry', null, { size: 0, ino: 1 }, { tail: '', write: [], truncateTo: null }],
    ['a kept chunk with no whole line: the tail grows', carried('more'), { size: 100, ino: 1 }, { tail: 'half more', write: [], truncateTo: null }],
    ['the log did not move: not written', carried('line\nrest'), { size: 100, ino: 1 }, { tail: 'rest', write: ['half line\n'], truncateTo: null }],
    ['the log moved by the chunk: written', carried('line\nrest'), { size: 110, ino: 1 }, { tail: 'rest', write: [], truncateTo: null }],
    ['the log moved by less: half written, cut back', carried('line\nrest'), { size: 104, ino: 1 }, { tail: 'rest', write: ['half line\n'], truncateTo: 100 }],
    ['rotated, nothing in the new file: not written', carried('line\nrest'), { size: 0, ino: 2 }, { tail: 'rest', write: ['half line\n'], truncateTo: null }],
    ['rotated, half of it in the new file', carried('line\nrest'), { size: 3, ino: 2 }, { tail: 'rest', write: ['half line\n'], truncateTo: 0 }],
  ])('%s', (_what, carry, now, expected) => {
    expect(text(planResume(carry, now, 1 << 20, stamped))).toEqual(expected);
  });

  it('a damaged journal: the tail it still has is a line of its own, what was read after it is dropped, the next line is a continuation', () => {
    const header = encodeCarryHeader({ size: 100, ino: 1, tailStart: 128, end: 133, dataEnd: 140, continued: false });
    // Cut inside what was read after the tail: the tail is whole, the rest is not.
    const cut = salvageCarry(Buffer.concat([header, Buffer.from('half line')]), '/x.carry');
    expect(cut).toMatchObject({ tail: Buffer.from('half '), pending: Buffer.alloc(0), damaged: expect.stringMatching(/^journal \/x\.carry is damaged/) });
    const plan = planResume(cut, { size: 100, ino: 1 }, 1 << 20, stamped);
    expect({ ...text(plan), continued: plan.continued, damaged: plan.damaged }).toEqual({ tail: '', write: ['half \n'], truncateTo: null, continued: true, damaged: cut.damaged });
    // Cut inside the header: nothing to keep.
    expect(salvageCarry(header.subarray(0, 100), '/x.carry')).toMatchObject({ tail: Buffer.alloc(0), damaged: expect.any(String) });
    expect(CarryFile.load(join(work, 'no-such.carry'))).toBeNull();
  });
});

describe('tail', () => {
  const file = join(work, 'tail.log');
  writeFileSync(file, Array.from({ length: 100_000 }, (_, index) => `line ${index}`).join('\n') + '\n');

  it.each([1, 2, 99_999, 100_000, 200_000])('reads the last %i lines of a 100k-line file', (count) => {
    const lines = readLastLines(file, count);
    expect(lines).toHaveLength(Math.min(count, 100_000));
    expect(lines.at(-1)).toBe('line 99999');
    expect(lines[0]).toBe(`line ${100_000 - Math.min(count, 100_000)}`);
  });

  it('reads a file without a final newline, an empty one, and across rotated files', () => {
    writeFileSync(join(work, 'open.log'), 'a\nb\nc');
    expect(readLastLines(join(work, 'open.log'), 2)).toEqual(['b', 'c']);
    writeFileSync(join(work, 'empty.log'), '');
    expect(readLastLines(join(work, 'empty.log'), 5)).toEqual([]);
    writeFileSync(join(work, 'rot.log'), 'c\nd\n');
    writeFileSync(join(work, 'rot.log.1'), 'a\nb\n');
    expect(readLastLinesRotated(join(work, 'rot.log'), 3, 5)).toEqual(['b', 'c', 'd']);
  });

  it('tells which instance wrote the last line', () => {
    writeFileSync(join(work, 'tagged.log'), '2026-12-01T10:00:00.000Z [0] a\n2026-12-01T10:00:00.000Z+ [3] b\n');
    expect(lastLineInstance(join(work, 'tagged.log'))).toBe(3);
    writeFileSync(join(work, 'plain.log'), '2026-12-01T10:00:00.000Z a\n');
    expect(lastLineInstance(join(work, 'plain.log'))).toBe(0);
    expect(lastLineInstance(join(work, 'empty.log'))).toBeNull();
  });
});

describe('LogFile', () => {
  it('rotates between whole writes and keeps the given number of files', () => {
    const dir = join(work, 'rotate');
    const file = new LogFile(join(dir, 'a.log'), { maxBytes: 10, keep: 2 });
    for (const line of ['aaaa\n', 'bbbb\n', 'cccc\n', 'dddd\n', 'eeee\n', 'ffff\n', 'gggg\n']) expect(file.write(Buffer.from(line))).toBe(true);
    file.close();
    expect(readFileSync(join(dir, 'a.log'), 'utf8')).toBe('gggg\n');
    expect(readFileSync(join(dir, 'a.log.1'), 'utf8')).toBe('eeee\nffff\n');
    expect(readFileSync(join(dir, 'a.log.2'), 'utf8')).toBe('cccc\ndddd\n');
    expect(existsSync(join(dir, 'a.log.3'))).toBe(false);
  });

  it('recreates a deleted folder and copies over the lines written to the deleted file since the last check', () => {
    const dir = join(work, 'gone');
    const file = new LogFile(join(dir, 'a.log'), { maxBytes: 1 << 20, keep: 1 });
    file.write(Buffer.from('before\n'));
    expect(file.checkPath()).toBe(false); // nothing moved: nothing for the journals to commit
    rmSync(dir, { recursive: true, force: true });
    file.write(Buffer.from('while gone\n'));
    expect(file.checkPath()).toBe(true);
    expect(file.checkPath()).toBe(false);
    file.write(Buffer.from('after\n'));
    file.close();
    expect(readFileSync(join(dir, 'a.log'), 'utf8')).toBe('while gone\nafter\n');
  });

  it('refuses a planted symlink, says why, and keeps the lines until it can write them', () => {
    const dir = join(work, 'planted');
    mkdirSync(dir);
    writeFileSync(join(work, 'elsewhere'), '');
    symlinkSync(join(work, 'elsewhere'), join(dir, 'a.log'));
    const file = new LogFile(join(dir, 'a.log'), { maxBytes: 1 << 20, keep: 1 });
    expect(file.write(Buffer.from('secret\n'))).toBe(false);
    expect(file.stall?.reason).toMatch(/refused a symlink \(ELOOP\)/);
    expect(readFileSync(join(work, 'elsewhere'), 'utf8')).toBe('');
    file.close();
  });
});

describe('DaemonLog', () => {
  it('drops and counts lines it cannot write (/dev/full), never throws, and reports the count once it can write', () => {
    const path = join(work, 'daemon.log');
    const log = new DaemonLog('/dev/full');
    expect(log.write('{"msg":"a"}\n')).toBe(true);
    expect(log.write('{"msg":"b"}\n')).toBe(true);
    expect(log.droppedLines).toBe(2);
    const real = new DaemonLog(path);
    real.write('{"msg":"x"}\n');
    expect(readFileSync(path, 'utf8')).toBe('{"msg":"x"}\n');
  });

  it('rotates by size', () => {
    const path = join(work, 'rot-daemon.log');
    const log = new DaemonLog(path, 20, 2);
    for (let index = 0; index < 10; index++) log.write(`{"n":${index}}\n`);
    log.close();
    expect(existsSync(`${path}.1`)).toBe(true);
    expect(existsSync(`${path}.3`)).toBe(false);
    expect(readFileSync(path, 'utf8')).toContain('{"n":9}');
  });
});

describe('ServiceLogSink resuming a stream a killed daemon was reading', () => {
  const sinkFor = (dir: string) =>
    new ServiceLogSink('svc', { out: join(dir, 'svc.out.log'), err: join(dir, 'svc.err.log') }, { maxBytes: 1 << 20, keep: 1 }, {
      multiInstance: false, stamp: false, maxLineBytes: 1 << 20, emit: () => undefined, hasListeners: () => false, onStall: () => undefined,
    });

  /** A daemon's carry left as `prepare` says, then a new sink attaches and finishes the stream. */
  async function attachWith(dir: string, prepare: (carry: CarryFile, log: string) => void): Promise<string> {
    mkdirSync(dir, { recursive: true });
    const fifo = join(dir, 'svc.0.abcdefabcdef.out');
    await makeFifos([fifo]);
    const log = join(dir, 'svc.out.log');
    prepare(new CarryFile(`${fifo}.carry`), log);
    const sink = sinkFor(dir);
    const source = sink.attach(0, 'out', fifo, openFifoReader(fifo), `${fifo}.carry`);
    await sink.finish(source);
    sink.close();
    return readFileSync(log, 'utf8');
  }
  const before = (carry: CarryFile, log: string) => {
    writeFileSync(log, 'before\n');
    carry.commit(5, false, { size: 7, ino: statSync(log).ino }, () => Buffer.from('half '));
    carry.append(Buffer.from('a line\nsecond\ntail'));
  };

  it('writes a chunk that was read but not yet written, joined to the carried tail', async () => {
    expect(await attachWith(join(work, 'resume-unwritten'), before)).toBe('before\nhalf a line\nsecond\ntail\n');
  });

  it('does not write it twice when the log shows it was written before the kill', async () => {
    const text = await attachWith(join(work, 'resume-written'), (carry, log) => {
      before(carry, log);
      writeFileSync(log, 'before\nhalf a line\nsecond\n');
    });
    expect(text).toBe('before\nhalf a line\nsecond\ntail\n');
  });

  it('cuts a half-written chunk back and writes it whole', async () => {
    const text = await attachWith(join(work, 'resume-half'), (carry, log) => {
      before(carry, log);
      writeFileSync(log, 'before\nhalf a li');
    });
    expect(text).toBe('before\nhalf a line\nsecond\ntail\n');
  });
});

describe('OutputPipe', () => {
  it('reads nothing after end of file, even once its descriptor number is reused', async () => {
    const fifo = join(work, 'eof.fifo');
    await makeFifos([fifo]);
    const reader = openFifoReader(fifo);
    const chunks: string[] = [];
    let ended!: () => void;
    const end = new Promise<void>((resolve) => (ended = resolve));
    const pipe = new OutputPipe(reader, () => undefined, (chunk) => (chunks.push(chunk.toString()), true), () => ended());
    const writer = openSync(fifo, 'w');
    writeSync(writer, 'last words\n');
    closeSync(writer);
    await end;
    // Another file opened now may get a just-closed descriptor number: it must not be read as this pipe.
    writeFileSync(join(work, 'unrelated'), 'not this pipe\n');
    const other = openSync(join(work, 'unrelated'), 'r');
    expect(pipe.drainNow(() => true)).toBe(true);
    pipe.close();
    closeSync(other);
    expect(chunks.join('')).toBe('last words\n');
  });

  it.each([
    // [read bytes, bytes over the recent window, window ms, pause ms]
    [64 * 1024, 64 * 1024, 1, 0], // a full pipe: read on
    [16 * 1024, 16 * 1024, 100, 0], // a large read: read on, however slow the writer
    [2_500, 500_000, 10, 0], // 50 MB/s in single lines: the pipe fills in about a millisecond, never pause
    [2_500, 100_000, 20, 3], // 5 MB/s: 16 KB gather in about 3 ms
    [200, 10_000, 30, 5], // a slow writer: the longest pause
    [100, 0, 1_000, 5], // nothing recent to go by: the longest pause
  ])('pauses after a read of %i bytes (%i in %i ms) for %i ms', (length, recentBytes, recentMs, expected) => {
    expect(batchWaitMs(length, recentBytes, recentMs)).toBe(expected);
  });
});

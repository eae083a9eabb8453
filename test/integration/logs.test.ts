import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, FIXTURES, Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait.js';

const harness = new Harness(22000);
afterAll(() => harness.cleanup());

const logPath = (name: string, stream = 'out') => join(harness.home, 'logs', `${name}.${stream}.log`);
const readLog = (name: string, stream = 'out') => (existsSync(logPath(name, stream)) ? readFileSync(logPath(name, stream), 'utf8') : '');
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

function allRotated(name: string, keep: number): string[] {
  const files = [...Array.from({ length: keep }, (_, index) => `${logPath(name)}.${keep - index}`), logPath(name)];
  return files.filter(existsSync).flatMap((file) => readFileSync(file, 'utf8').split('\n').filter(Boolean));
}

describe('log capture', () => {
  it('stores 500,000 flooded lines in order, whole, each stamped, across rotation', async () => {
    const file = join(harness.work, 'flood.json');
    writeFileSync(file, JSON.stringify({ services: [{ name: 'flood', script: join(FIXTURES, 'flood.js'), args: ['500000'], port: false, logMaxSize: '4M', logKeep: 20 }] }));
    await harness.ok(['start', file, '--no-wait']);
    await waitFor('the flood to finish', () => readLog('flood', 'err'), (text) => text.includes('flood done 500000'), 60_000);
    const lines = await waitFor('all lines on disk', () => allRotated('flood', 20), (found) => found.length >= 500_000, 30_000);
    expect(lines).toHaveLength(500_000);
    let torn = 0;
    let misordered = 0;
    lines.forEach((line, index) => {
      if (!STAMP.test(line) || line.length !== 119) torn++;
      if (line.slice(30, 38) !== String(index).padStart(8, '0')) misordered++;
    });
    expect({ torn, misordered }).toEqual({ torn: 0, misordered: 0 });
    expect(existsSync(`${logPath('flood')}.1`)).toBe(true);
    expect(statSync(logPath('flood')).size).toBeLessThan(5 * 1024 * 1024);
    // `logs --lines` reads across the rotation boundary.
    const tail = await harness.ok(['logs', 'flood', '--lines', '120000', '--no-follow', '--out']);
    const printed = tail.stdout.trimEnd().split('\n');
    expect(printed).toHaveLength(120_000);
    expect(printed.at(-1)).toContain('line 00499999');
    expect(printed[0]).toContain('line 00380000');
    // The daemon kept answering while the flood ran and after.
    // (a portless service is online after 1 s alive: the flood may be over sooner)
    await harness.waitForStatus('flood', 'online');
    await harness.ok(['delete', 'flood']);
  });

  it('joins a line split across writes, cuts a line over logMaxLine into marked pieces, and writes a final unterminated line', async () => {
    await harness.ok(['start', join(FIXTURES, 'log-shapes.js'), '--name', 'split', '--no-port', '--', 'split']);
    await harness.ok(['start', join(FIXTURES, 'log-shapes.js'), '--name', 'huge', '--no-port', '--', 'huge']);
    await harness.run(['start', join(FIXTURES, 'log-shapes.js'), '--name', 'bye', '--no-port', '--restart', 'never', '--', 'unterminated']);
    const split = await waitFor('the split line', () => readLog('split'), (text) => text.includes('next line'));
    expect(split.split('\n').filter(Boolean).map((line) => line.replace(STAMP, ''))).toEqual(['first half second half', 'next line']);
    const huge = await waitFor('the huge line', () => readLog('huge'), (text) => text.includes('after big'));
    // 1 MiB + 8 bytes: over logMaxLine (1 MiB), so a 1 MiB piece and a stamped, marked continuation.
    const lines = huge.split('\n');
    const at = lines.findIndex((line) => line.includes('big:'));
    expect(lines[at]!.replace(STAMP, '')).toBe('big:' + 'y'.repeat(1024 * 1024 - 4));
    expect(lines[at + 1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\+ yyyy:end$/);
    const bye = await waitFor('the last words', () => readLog('bye'), (text) => text.includes('goodbye'));
    expect(bye.replace(STAMP, '')).toBe('goodbye without newline\n');
  });

  it('gets Python output at once (PYTHONUNBUFFERED) and tags each line with its stream', async () => {
    await harness.ok(['start', join(FIXTURES, 'buffered.py'), '--name', 'pybuf', '--no-port']);
    await waitFor('python line in the log', () => readLog('pybuf'), (text) => text.includes('python says hello'));
    const printed = await harness.ok(['logs', 'pybuf', '--no-follow', '--json']);
    const entries = printed.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(entries).toContainEqual({ time: expect.stringMatching(/Z$/), service: 'pybuf', instance: 0, stream: 'out', line: 'python says hello' });
  });
});

describe('apictl logs', () => {
  it('merges services by time with a tag per line, then follows live lines', async () => {
    await harness.ok(['start', join(FIXTURES, 'log-shapes.js'), '--name', 'tick-a', '--no-port', '--', 'ticker']);
    await harness.ok(['start', join(FIXTURES, 'log-shapes.js'), '--name', 'tick-b', '--no-port', '--', 'ticker']);
    await waitFor('both tickers to log', () => readLog('tick-a') + readLog('tick-b'), (text) => text.includes('tick-a tick 5') && text.includes('tick-b tick 5'));
    const merged = await harness.ok(['logs', '--lines', '40', '--no-follow']);
    const lines = merged.stdout.trim().split('\n');
    expect(lines).toHaveLength(40);
    const times = lines.map((line) => Date.parse(line.slice(0, 24)));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(lines.some((line) => /^\S+ tick-a\[0\] \| tick-a tick \d+$/.test(line))).toBe(true);
    expect(lines.some((line) => /^\S+ tick-b\[0\] \| tick-b tick \d+$/.test(line))).toBe(true);

    const follower = spawn(process.execPath, [BIN, 'logs', 'tick-a', '--lines', '0'], { env: harness.env });
    let seen = '';
    follower.stdout.on('data', (chunk) => (seen += chunk));
    const before = Number(/tick (\d+)\n?$/.exec(readLog('tick-a').trimEnd())![1]);
    await waitFor('live lines from the follower', () => seen, (text) => /tick-a tick (\d+)/.test(text) && Number(/tick-a tick (\d+)/.exec(text)![1]) >= before);
    follower.kill('SIGINT');
    expect(seen).not.toContain('tick-b');
  });

  it('survives a reader that goes away mid-stream (| head)', async () => {
    const head = spawn('sh', ['-c', `"${process.execPath}" "${BIN}" logs tick-a --lines 5 | head -n 3`], { env: harness.env });
    let out = '';
    head.stdout.on('data', (chunk) => (out += chunk));
    const code = await new Promise((resolve) => head.on('close', resolve));
    expect(code).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(3);
    expect((await harness.service('tick-a')).status).toBe('online');
    expect((await harness.ok(['ping'])).stdout).toMatch(/^pong/);
  });

  it('flush empties the files while the service keeps writing', async () => {
    await harness.ok(['flush', 'tick-a']);
    const after = await waitFor('new lines after flush', () => readLog('tick-a'), (text) => text.length > 0);
    expect(after.startsWith('20')).toBe(true);
    expect(after).not.toContain('tick-a tick 0\n');
  });

  it('shows the daemon log readably', async () => {
    const { stdout } = await harness.ok(['logs', '--daemon', '--lines', '200']);
    expect(stdout).toMatch(/^\S+Z info registered \{"service":"tick-a","port":null\}$/m);
    expect(stdout).toMatch(/^\S+Z info started \{"service":"tick-a","instance":0,"pid":\d+,"port":null\}$/m);
  });

  it('refuses an unknown service', async () => {
    const result = await harness.run(['logs', 'nope', '--no-follow']);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe('apictl: no service named "nope"');
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { BIN, FIXTURES, Harness } from '../helpers/harness.js';
import { callDaemon } from '../helpers/daemon-socket.js';
import { isAlive, rssOf, waitFor } from '../helpers/wait.js';

// SPEC §6/§12: output that is hostile to a line splitter, and a reader that
// stops reading, cost the daemon bounded memory; it answers throughout, and
// the files get every byte.
const harness = new Harness(23800);
afterAll(() => harness.cleanup());
const logOf = (name: string, stream = 'out') => {
  const path = join(harness.home, 'logs', `${name}.${stream}.log`);
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
};
const MB = 1024 * 1024;

/** Pings every 50 ms until `done` holds: each ping must be answered within 2 s. Returns the daemon's largest RSS seen. */
async function answeringUntil(done: () => boolean, timeoutMs: number): Promise<number> {
  const daemon = harness.daemonPid()!;
  const deadline = Date.now() + timeoutMs;
  let peak = 0;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`the output did not end within ${timeoutMs} ms`);
    const answer = await callDaemon(harness.home, 'ping', {}, 2_000);
    if (!answer.ok) throw new Error(`ping failed: ${JSON.stringify(answer)}`);
    peak = Math.max(peak, rssOf(daemon));
    await delay(50);
  }
  return peak;
}

describe('output without newlines', () => {
  it('64 MB in 64 KB chunks and no newline: pieces of logMaxLine, marked as continuations; ping answered; memory bounded', async () => {
    const file = join(harness.work, 'blob.json');
    // One file for the whole 64 MB (the default rotation at 10 MB keeps 5).
    writeFileSync(file, JSON.stringify({ services: [{ name: 'blob', script: join(FIXTURES, 'no-newline.js'), port: false, logMaxSize: '200M', env: { MB: '64' } }] }));
    await harness.ok(['start', file]);
    const baseline = rssOf(harness.daemonPid()!);
    const peak = await answeringUntil(() => logOf('blob').includes('done'), 120_000);
    // The splitter keeps at most one line (1 MiB) of tail: the daemon never holds the 64 MB.
    expect(peak - baseline).toBeLessThan(64 * MB);
    const lines = logOf('blob').trimEnd().split('\n');
    const pieces = lines.filter((line) => /x{1000}/.test(line));
    expect(pieces).toHaveLength(64);
    expect(pieces[0]).toMatch(/^\S+Z x+$/);
    for (const piece of pieces.slice(1)) expect(piece).toMatch(/^\S+Z\+ x+$/);
    expect(pieces.reduce((sum, piece) => sum + piece.replace(/^\S+ /, '').length, 0)).toBe(64 * MB);
    expect(lines.at(-1)).toMatch(/^\S+Z done$/);
    await harness.ok(['delete', 'blob']);
  });
});

describe('a `logs -f` reader that stops reading (SIGSTOP)', () => {
  it('costs the daemon at most its buffer; it is told how many lines it missed; the file has them all', async () => {
    const file = join(harness.work, 'flood.json');
    const total = 600_000;
    writeFileSync(file, JSON.stringify({ services: [{ name: 'flood', script: join(FIXTURES, 'flood.js'), args: [String(total)], port: false, logMaxSize: '500M' }] }));
    // The reader is attached before the flood starts: the service is registered stopped first.
    await harness.ok(['start', join(FIXTURES, 'flood.js'), '--name', 'warmup', '--no-port', '--', '10']);
    const daemon = harness.daemonPid()!;
    const reader = spawn(process.execPath, [BIN, 'logs', '-f'], { env: harness.env, stdio: ['ignore', 'pipe', 'pipe'] });
    harness.trackPid(reader.pid!);
    let stderr = '';
    reader.stderr.on('data', (chunk) => (stderr += chunk));
    let stdoutBytes = 0;
    reader.stdout.on('data', (chunk: Buffer) => (stdoutBytes += chunk.length));
    try {
      await waitFor('the reader to print the recent lines', () => stdoutBytes, (bytes) => bytes > 0);
      process.kill(reader.pid!, 'SIGSTOP');
      const baseline = rssOf(daemon);
      await harness.ok(['start', file, '--no-wait']);
      const peak = await answeringUntil(() => logOf('flood', 'err').includes(`flood done ${total}`), 120_000);
      // ~60 MB went by; the stopped reader may cost its 1 MiB buffer (and the kernel's socket buffer), not the stream.
      expect(peak - baseline).toBeLessThan(40 * MB);
      const lines = await waitFor('every line in the file', () => logOf('flood').trimEnd().split('\n'), (found) => found.length >= total, 30_000);
      expect(lines).toHaveLength(total);
      process.kill(reader.pid!, 'SIGCONT');
      await waitFor('the reader told it fell behind', () => stderr, (text) => /apictl: \d+ lines skipped: this reader fell behind/.test(text), 30_000);
    } finally {
      if (isAlive(reader.pid!)) {
        process.kill(reader.pid!, 'SIGCONT');
        reader.kill('SIGTERM');
      }
    }
    await harness.ok(['delete', 'all']);
  });
});

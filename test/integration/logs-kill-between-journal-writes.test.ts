import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness } from '../helpers/harness.js';
import { answeringDaemon } from '../helpers/daemon-socket.js';
import { waitFor } from '../helpers/wait.js';

// SPEC §12: the daemon SIGKILLed between a chunk's write to its stream's
// journal and the journal header's write that counts it (a fault injector
// in the daemon, test/fixtures/kill-at-write.cjs), under a writer whose
// writes end anywhere in a line: no line lost, doubled or torn.
describe('a daemon killed between a journal append and its header', () => {
  const harness = new Harness(29370);
  afterAll(() => harness.cleanup());
  const count = 6000;
  const logOf = () => (existsSync(join(harness.home, 'logs', 'c.out.log')) ? readFileSync(join(harness.home, 'logs', 'c.out.log'), 'utf8') : '');

  it('loses, doubles and tears no line', async () => {
    const marker = join(harness.work, 'killed');
    const env = { NODE_OPTIONS: `--require ${join(FIXTURES, 'kill-at-write.cjs')}`, KILL_AT: 'append-before-header', KILL_AT_N: '40', KILL_AT_MARKER: marker };
    await harness.ok(['start', join(FIXTURES, 'ragged.js'), '--name', 'c', '--no-port', '--env', `COUNT=${count}`, '--env', 'EVERY_MS=1', '--no-wait'], { env });
    const first = harness.daemonPid();
    await waitFor('the injected kill', () => existsSync(marker), Boolean, 60_000);
    expect(readFileSync(marker, 'utf8')).toMatch(/^append-before-header: after journal append #40 /);
    await waitFor('a new daemon', () => answeringDaemon(harness.home), (pid) => pid !== null && pid !== first, 20_000);
    await waitFor('the last line', () => logOf(), (text) => text.includes(`n ${String(count - 1).padStart(7, '0')}`), 60_000);
    const lines = logOf().trimEnd().split('\n');
    const torn = lines.filter((line) => !/^\S+Z n \d{7} x{40} end$/.test(line));
    const seen = new Map<number, number>();
    for (const line of lines) {
      const n = Number(/ n (\d{7}) /.exec(line)?.[1] ?? -1);
      seen.set(n, (seen.get(n) ?? 0) + 1);
    }
    const missing = Array.from({ length: count }, (_, n) => n).filter((n) => !seen.has(n));
    const doubled = [...seen].filter(([n, times]) => n >= 0 && times > 1).map(([n]) => n);
    expect({ torn, missing, doubled }).toEqual({ torn: [], missing: [], doubled: [] });
  });
});

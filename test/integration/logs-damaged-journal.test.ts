import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeCarry } from '../../src/logs/carry.js';
import { FIXTURES, Harness } from '../helpers/harness.js';
import { answeringDaemon } from '../helpers/daemon-socket.js';
import { isAlive, waitFor } from '../helpers/wait.js';

// SPEC §12: the journal of a stream holding half a line is damaged while no
// daemon runs (cut inside its header). The next daemon cannot know that half
// line: it says so in daemon.log and in the service's err log, and the line's
// rest, when it comes, is marked as a continuation — never a silently torn line.
describe('a damaged log journal', () => {
  const harness = new Harness(29350);
  afterAll(() => harness.cleanup());
  const logOf = (stream: string) => (existsSync(join(harness.home, 'logs', `h.${stream}.log`)) ? readFileSync(join(harness.home, 'logs', `h.${stream}.log`), 'utf8') : '');

  it('is reported in daemon.log and the err log, and the next line is marked as a continuation', async () => {
    const go = join(harness.work, 'go');
    await harness.ok(['start', join(FIXTURES, 'half-then-go.js'), '--name', 'h', '--no-port', '--env', `GO=${go}`]);
    const runDir = join(harness.home, 'run');
    const carry = await waitFor('the journal', () => readdirSync(runDir).find((name) => name.endsWith('.out.carry')), Boolean);
    // Half of line 1 is the stream's tail, in its journal.
    await waitFor('half a line in the journal', () => decodeCarry(readFileSync(join(runDir, carry!))), (found) => found !== null && Buffer.concat([found.tail, found.pending]).toString() === 'n 0000001 xxxxxxxxxx', 10_000);
    expect(logOf('out')).toMatch(/ n 0000000 x{40} end\n$/);
    const keeper = Number(readFileSync(join(harness.home, 'keeper.pid'), 'utf8'));
    const daemon = harness.daemonPid()!;
    process.kill(keeper, 'SIGSTOP');
    try {
      process.kill(daemon, 'SIGKILL');
      await waitFor('the daemon gone', () => isAlive(daemon), (alive) => !alive, 10_000);
      truncateSync(join(runDir, carry!), 100); // damaged: cut inside its header
    } finally {
      process.kill(keeper, 'SIGCONT');
    }
    await waitFor('a new daemon', () => answeringDaemon(harness.home), (pid) => pid !== null && pid !== daemon, 20_000);
    writeFileSync(go, '');
    await waitFor('the writer done', () => logOf('err'), (text) => text.includes('half-then-go done'), 20_000);
    await waitFor('line 2', () => logOf('out'), (text) => text.includes('n 0000002'), 10_000);
    const lines = logOf('out').trimEnd().split('\n');
    expect(lines.map((line) => line.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/, 'T'))).toEqual(['T n 0000000 ' + 'x'.repeat(40) + ' end', 'T+ ' + 'x'.repeat(30) + ' end', 'T n 0000002 ' + 'x'.repeat(40) + ' end']);
    expect(logOf('err')).toMatch(/\[apictl\] the journal of stdout was damaged: part of a line may be missing \(the next line is marked as a continuation\)/);
    expect(readFileSync(join(harness.home, 'daemon.log'), 'utf8')).toMatch(/"msg":"log journal damaged: journal .*\.out\.carry is damaged/);
  });
});

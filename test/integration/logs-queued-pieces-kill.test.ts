import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness } from '../helpers/harness.js';
import { killDaemonHard } from '../helpers/daemon-socket.js';
import { fillWithPages, tmpfsForBlock } from '../helpers/tmpfs.js';
import { waitFor } from '../helpers/wait.js';

// SPEC §12: two pieces of one stream wait for a full disk (lines 0-99, then
// 100-199 read at the child's exit); space comes back for the first only.
// Its going in must not commit the stream's journal past the second, which
// is then only in the daemon's memory: a daemon kill would lose it.
// logs/ alone is a 3 MB tmpfs (journals, state and daemon.log stay on the main disk).
const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot)('two queued pieces of one stream, space back for the first only, then a daemon kill', () => {
  const harness = new Harness(29330);
  const logs = join(harness.home, 'logs');
  const logOf = () => (existsSync(join(logs, 'two.out.log')) ? readFileSync(join(logs, 'two.out.log'), 'utf8') : '');
  const numbers = (text: string) => [...text.matchAll(/ n (\d{7}) x{40} end$/gm)].map((match) => Number(match[1]));
  tmpfsForBlock(harness, logs, '3m');

  it('loses no line: the first piece going in commits the journal only as far as the log has it', async () => {
    const go = join(harness.work, 'go');
    await harness.ok(['start', join(FIXTURES, 'two-chunks.js'), '--name', 'two', '--no-port', '--restart', 'never', '--env', `GO=${go}`, '--no-wait']);
    const runDir = join(harness.home, 'run');
    await waitFor('the journals', () => readdirSync(runDir).filter((name) => name.endsWith('.out.carry')), (found) => found.length === 1);
    // Fill logs/ with 4 KB files.
    const fillers = fillWithPages(logs);
    writeFileSync(go, '');
    await waitFor('the stall', async () => (await harness.service('two')).logs.stalled, (stall) => stall !== null, 30_000);
    // The exit handled: whatever the daemon reads of the pipe at the exit, it has read.
    await waitFor('the exit handled', () => harness.service('two'), (service) => service.status === 'stopped' && !service.instances[0]?.pid, 15_000);
    // Room for lines 0-99 (2 pages) and the err line, not for 100-199 too.
    for (let index = 0; index < 3; index++) rmSync(join(logs, `fill.${index}`));
    await waitFor('lines 0-99 in the log', () => logOf(), (text) => text.includes('n 0000099'), 15_000);
    rmSync(go); // the next daemon starts the service again: that run writes nothing
    await killDaemonHard(harness.home, harness.daemonPid()!);
    // Space back for good.
    for (let index = 3; index < fillers; index++) rmSync(join(logs, `fill.${index}`));
    await waitFor('line 199 in the log', () => logOf(), (text) => text.includes('n 0000199'), 20_000);
    expect(numbers(logOf())).toEqual(Array.from({ length: 200 }, (_, index) => index));
  });
});

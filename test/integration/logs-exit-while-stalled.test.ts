import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness } from '../helpers/harness.js';
import { answeringDaemon } from '../helpers/daemon-socket.js';
import { resizeTmpfs, tmpfsForBlock } from '../helpers/tmpfs.js';
import { waitFor } from '../helpers/wait.js';

// SPEC §12: a service that exits while its log is stalled (disk full), its
// last words without a newline. The exit must not read them into the
// daemon and commit the stream's journal past the lines the disk refused:
// a daemon kill then would lose those lines for good.
const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot)('a service that exits while its log is stalled, then a daemon kill (a 3 MB tmpfs as APICTL_HOME)', () => {
  const harness = new Harness(29310);
  const mount = join(harness.work, 'small');
  const home = join(mount, 'home');
  const run = (args: string[]) => harness.run(args, { env: { APICTL_HOME: home } });
  const list = async () => JSON.parse((await run(['list', '--json'])).stdout)[0];
  const logOf = () => (existsSync(join(home, 'logs', 'bye.out.log')) ? readFileSync(join(home, 'logs', 'bye.out.log'), 'utf8') : '');
  tmpfsForBlock(harness, mount, '3m', { home });

  it('keeps the lines the disk refused, and the last words after them', async () => {
    const go = join(harness.work, 'go');
    expect((await run(['start', join(FIXTURES, 'tail-bye.js'), '--name', 'bye', '--no-port', '--restart', 'never', '--env', `GO=${go}`, '--no-wait'])).code).toBe(0);
    await waitFor('the journals', () => readdirSync(join(home, 'run')).filter((name) => name.endsWith('.out.carry')), (found) => found.length === 1);
    // Fill the disk (the journals already have their room).
    spawnSync('dd', ['if=/dev/zero', `of=${join(mount, 'fill')}`, 'bs=64k'], { stdio: 'ignore' });
    writeFileSync(go, '');
    await waitFor('the stall', async () => (await list()).logs.stalled, (stall) => stall !== null, 30_000);
    // The child writes "bye" 500 ms later and exits; the exit handled, the daemon has done what it does with the rest of the pipe.
    await waitFor('the exit handled', () => list(), (service) => service.status === 'stopped' && !service.instances[0]?.pid, 15_000);
    rmSync(go); // the next daemon starts the service again: that run writes nothing
    const old = Number(readFileSync(join(home, 'daemon.pid'), 'utf8'));
    process.kill(old, 'SIGKILL');
    resizeTmpfs(mount, '64m');
    await waitFor('a new daemon', () => answeringDaemon(home), (pid) => pid !== null && pid !== old, 20_000);
    await waitFor('"bye" in the log', () => logOf(), (text) => text.includes('bye'), 20_000);
    const lines = logOf().trimEnd().split('\n');
    expect([...lines.slice(0, -1).map((line) => Number(/ n (\d{7}) x{40} end$/.exec(line)?.[1] ?? -1)), lines.at(-1)!.replace(/^\S+Z /, '')]).toEqual([...Array.from({ length: 100 }, (_, index) => index), 'bye']);
  });
});

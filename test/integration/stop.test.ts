import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness } from '../helpers/harness.js';
import { isAlive, waitFor } from '../helpers/wait.js';

const harness = new Harness(21300);
afterAll(() => harness.cleanup());

describe('stop', () => {
  it('SIGKILLs a script that ignores SIGTERM after killTimeout', async () => {
    await harness.ok(['start', join(FIXTURES, 'ignore-sigterm.js'), '--name', 'stubborn', '--kill-timeout', '500']);
    const pid = (await harness.service('stubborn')).instances[0]!.pid!;
    const started = Date.now();
    await harness.ok(['stop', 'stubborn']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(isAlive(pid)).toBe(false);
    const log = readFileSync(join(harness.home, 'logs/stubborn.out.log'), 'utf8');
    expect(log).toContain('ignoring SIGTERM');
  });

  it('stops grandchildren with the service', async () => {
    const pidFile = join(harness.work, 'grandchild.pid');
    await harness.ok(['start', join(FIXTURES, 'grandchild.js'), '--name', 'family', '--', pidFile]);
    const grandchild = Number(await waitFor('grandchild pid file', () => (existsSync(pidFile) ? readFileSync(pidFile, 'utf8') : '')));
    harness.trackPid(grandchild);
    expect(isAlive(grandchild)).toBe(true);
    await harness.ok(['stop', 'family']);
    await waitFor('grandchild to die', () => isAlive(grandchild), (alive) => !alive, 5_000);
  });

  it('runs a Python atexit handler on stop', async () => {
    const marker = join(harness.work, 'python-atexit');
    await harness.ok(['start', join(FIXTURES, 'atexit.py'), '--name', 'py-exit', '--', marker]);
    await harness.ok(['stop', 'py-exit']);
    expect(readFileSync(marker, 'utf8')).toBe('atexit ran\n');
  });

  it("runs Plumber's exit hook on stop (SIGINT for Rscript)", async () => {
    const marker = join(harness.work, 'plumber-exit');
    await harness.ok(['start', join(FIXTURES, 'plumber-exit.R'), '--name', 'r-exit', '--health', '/health', '--', marker]);
    const service = await harness.service('r-exit');
    expect(service.interpreter).toBe('Rscript');
    await harness.ok(['stop', 'r-exit']);
    expect(readFileSync(marker, 'utf8')).toBe('exit hook ran\n');
  });

  it('kill stops every service, then the daemon', async () => {
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'last']);
    const pid = (await harness.service('last')).instances[0]!.pid!;
    const daemon = harness.daemonPid()!;
    const { stdout } = await harness.ok(['kill']);
    expect(stdout).toBe(`daemon ${daemon} stopped\n`);
    expect(isAlive(pid)).toBe(false);
    expect(isAlive(daemon)).toBe(false);
    expect(existsSync(join(harness.home, 'daemon.sock'))).toBe(false);
  });
});

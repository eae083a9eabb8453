import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness, httpGet } from '../helpers/harness.js';
import { findMarkedProcesses } from '../../src/process/supervised-marker.js';
import { waitFor } from '../helpers/wait.js';

const harness = new Harness(21200);
afterAll(() => harness.cleanup());

function servicesFile(name: string, services: unknown[]): string {
  const path = join(harness.work, name);
  writeFileSync(path, JSON.stringify({ services }));
  return path;
}

describe('restart policy', () => {
  it('fails `start` of a crashing script with its exit code and last lines, then gives up as errored', async () => {
    const file = servicesFile('crash.json', [
      { name: 'crasher', script: join(FIXTURES, 'crash.js'), args: ['3'], maxRestarts: 4, restartDelay: 20 },
    ]);
    const started = await harness.run(['start', file]);
    expect(started.code).toBe(1);
    expect(started.stderr).toMatch(/^apictl: crasher did not become ready: exited with code 3$/m);
    expect(started.stderr).toContain('out | crash.js starting');
    expect(started.stderr).toContain('err | crash.js: something went wrong');
    const errored = await harness.waitForStatus('crasher', 'errored');
    expect(errored.reason).toBe('crashed 4 times in a row, each within 30s of starting; last: exited with code 3');
    expect(errored.restarts).toBe(3);
    const table = await harness.ok(['list']);
    expect(table.stdout).toMatch(/crasher\s+0\s+errored/);
    expect(table.stdout).toContain('crasher: crashed 4 times in a row');
    const shown = await harness.ok(['show', 'crasher']);
    expect(shown.stdout).toContain('reason: crashed 4 times in a row');
  });

  it('backs off between quick crashes (waiting status) instead of spinning', async () => {
    const file = servicesFile('slow-crash.json', [
      { name: 'backoff', script: join(FIXTURES, 'crash.js'), maxRestarts: 50, restartDelay: '2s' },
    ]);
    await harness.run(['start', file, '--no-wait']);
    const waiting = await harness.waitForStatus('backoff', 'waiting');
    expect(waiting.reason).toBe('exited with code 1');
    // Restart 1 is immediate, restart 2 waits 2 s: the count stays at 1 meanwhile.
    expect(waiting.restarts).toBeLessThanOrEqual(1);
    await harness.ok(['delete', 'backoff']);
  });

  it('restart: on-failure leaves a clean exit stopped; never leaves a crash stopped', async () => {
    const file = servicesFile('policies.json', [
      { name: 'clean', script: join(FIXTURES, 'crash.js'), args: ['0'], restart: 'on-failure', port: false },
      { name: 'once', script: join(FIXTURES, 'crash.js'), args: ['2'], restart: 'never', port: false },
    ]);
    await harness.run(['start', file, '--no-wait']);
    const clean = await harness.waitForStatus('clean', 'stopped');
    expect(clean.reason).toBe('exited with code 0 (restart: on-failure)');
    expect(clean.restarts).toBe(0);
    const once = await harness.waitForStatus('once', 'stopped');
    expect(once.reason).toBe('exited with code 2 (restart: never)');
  });

  it('restarts an instance above maxMemory gracefully and says why', async () => {
    await harness.ok(['start', join(FIXTURES, 'memory-hog.js'), '--name', 'hog', '--max-memory', '60M']);
    const restarted = await harness.waitFor('a memory restart', () => harness.service('hog'), (service) => service.restarts >= 1);
    expect(restarted.reason).toMatch(/^memory \d+ MB > 60 MB$/);
    const shown = await harness.ok(['show', 'hog']);
    expect(shown.stdout).toMatch(/reason: memory \d+ MB > 60 MB/);
    const daemonLog = await harness.ok(['logs', '--daemon', '--lines', '400']);
    expect(daemonLog.stdout).toMatch(/warn restarting \{"service":"hog","instance":0,"reason":"memory \d+ MB > 60 MB"\}/);
    await harness.ok(['delete', 'hog']);
  });

  it('brings a killed service back at once on the same port', async () => {
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'phoenix']);
    const before = await harness.service('phoenix');
    process.kill(before.instances[0]!.pid!, 'SIGKILL');
    const after = await waitFor(
      'a new pid to answer',
      async () => JSON.parse((await httpGet(before.port!)).body).pid as number,
      (pid) => pid !== before.instances[0]!.pid,
    );
    const service = await harness.waitForStatus('phoenix', 'online');
    expect(service.instances[0]!.pid).toBe(after);
    expect(service.restarts).toBe(1);
    expect(service.instances[0]!.lastExit).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('a delete during a restart leaves no process of the service behind', async () => {
    for (const name of ['race-a', 'race-b', 'race-c']) {
      await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', name]);
      const [, deleted] = await Promise.all([harness.run(['restart', name]), harness.run(['delete', name])]);
      expect(deleted.code).toBe(0);
      const left = findMarkedProcesses(harness.home).filter((found) => found.service === name);
      expect(left).toEqual([]);
    }
    const names = (await harness.list()).map((service) => service.name);
    expect(names.filter((name) => name.startsWith('race-'))).toEqual([]);
  });
});

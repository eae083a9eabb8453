import { afterAll, describe, expect, it } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, FIXTURES, Harness, REPO, httpGet } from '../helpers/harness.js';
import { isAlive, waitFor } from '../helpers/wait.js';
import { renderUnit } from '../../src/startup/render-unit.js';

/** Homes and folders these tests make outside the harness: removed when the file is done. */
const made: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const harness = new Harness(22100);
afterAll(() => harness.cleanup());
const dumpPath = () => join(harness.home, 'dump.json');

describe('save and resurrect', () => {
  it('saves definitions (0600, only the env the user set), kill, resurrect on the same ports', async () => {
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'keep', '--env', 'GREETING=saved'], {
      env: { SECRET_SHELL_TOKEN: 'must-not-leak' },
    });
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'other', '--instances', '2']);
    const before = await harness.list();
    const { stdout } = await harness.ok(['save']);
    expect(stdout).toBe(`saved 2 services to ${dumpPath()}: keep, other\n`);
    expect(statSync(dumpPath()).mode & 0o777).toBe(0o600);
    const dumpText = readFileSync(dumpPath(), 'utf8');
    expect(dumpText).not.toContain('must-not-leak');
    expect(dumpText).not.toContain('SECRET_SHELL_TOKEN');
    expect(dumpText).not.toContain(process.env.HOME ?? '/nonexistent-home');
    const dump = JSON.parse(dumpText);
    expect(dump.services.map((service: { name: string; env: object }) => [service.name, service.env])).toEqual([['keep', { GREETING: 'saved' }], ['other', {}]]);

    await harness.ok(['kill']);
    const resurrected = await harness.ok(['resurrect']);
    expect(resurrected.stdout).toMatch(/^keep: started \(online, port 22100/m);
    expect(resurrected.stdout).toMatch(/^other: started \(online, port \d+, 2 instances\)/m);
    for (const service of before) expect((await harness.service(service.name)).port).toBe(service.port);
    expect(JSON.parse((await httpGet(22100)).body).env).toMatchObject({ GREETING: 'saved' });

    const again = await harness.ok(['resurrect']);
    expect(again.stdout).toBe('already running, skipped: keep, other\n');
  });

  it('keeps the previous dump as dump.json.bak', async () => {
    await harness.ok(['delete', 'other']);
    await harness.ok(['save']);
    expect(JSON.parse(readFileSync(`${dumpPath()}.bak`, 'utf8')).services).toHaveLength(2);
    expect(JSON.parse(readFileSync(dumpPath(), 'utf8')).services).toHaveLength(1);
  });

  it('refuses a corrupt dump clearly and leaves it untouched', async () => {
    writeFileSync(dumpPath(), '{"services": [ {"name": "half');
    const result = await harness.run(['resurrect']);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toMatch(new RegExp(`^apictl: dump ${dumpPath()} is not valid JSON`));
    expect(readFileSync(dumpPath(), 'utf8')).toBe('{"services": [ {"name": "half');
  });
});

describe('state.json', () => {
  it('is never torn or empty, however often the daemon is SIGKILLed mid-change', async () => {
    const statePath = join(harness.home, 'state.json');
    for (let round = 0; round < 12; round++) {
      const name = `churn${round % 3}`;
      const change = harness.run(['start', join(FIXTURES, 'echo-server.js'), '--name', name, '--no-wait']);
      const remove = harness.run(['delete', `churn${(round + 1) % 3}`]);
      await waitFor('a daemon pid', () => harness.daemonPid(), Boolean);
      // Kill while those commands are in flight.
      const pid = harness.daemonPid()!;
      await new Promise((resolve) => setImmediate(resolve));
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already replaced
      }
      await Promise.all([change, remove]);
      const state = JSON.parse(readFileSync(statePath, 'utf8'));
      expect(Array.isArray(state.services)).toBe(true);
    }
    // The last daemon recovers whatever the state lists, with no orphans (checked by cleanup).
    await harness.list();
  });
});

describe('foreground daemon', () => {
  it('logs to stdout and stops every service gracefully on SIGTERM', async () => {
    const home = tempDir('apictl-fg-');
    const env = { ...process.env, APICTL_HOME: home, APICTL_PORT_BASE: '22150' };
    const daemon = spawn(process.execPath, [BIN, 'daemon'], { env });
    let out = '';
    daemon.stdout.on('data', (chunk) => (out += chunk));
    await waitFor('daemon ready on stdout', () => out, (text) => text.includes('"msg":"daemon ready"'));
    execFileSync(process.execPath, [BIN, 'start', join(FIXTURES, 'atexit.py'), '--name', 'fg', '--', join(home, 'marker')], { env });
    const listed = JSON.parse(execFileSync(process.execPath, [BIN, 'list', '--json'], { env, encoding: 'utf8' }));
    const child = listed[0].instances[0].pid as number;
    daemon.kill('SIGTERM');
    const code = await new Promise((resolve) => daemon.on('exit', resolve));
    expect(code).toBe(0);
    expect(isAlive(child)).toBe(false);
    expect(readFileSync(join(home, 'marker'), 'utf8')).toBe('atexit ran\n');
    expect(out).toContain('"msg":"daemon stopped"');
  });
});

describe('startup unit', () => {
  it('renders a unit that passes systemd-analyze verify, with paths that exist', () => {
    const dir = tempDir('apictl-unit-');
    const unit = renderUnit({
      user: 'root', home: '/root', apictlHome: '/root/.apictl', apictlBin: join(REPO, 'bin/apictl'),
      path: '/usr/local/bin:/usr/bin:/bin', scope: 'system',
    });
    expect(unit).toContain('Type=simple\n');
    expect(unit).toContain('Restart=on-failure\n');
    // The keeper restarts a dead daemon itself; systemd must not kill the services when the keeper is restarted.
    expect(unit).toContain('KillMode=process\n');
    expect(unit).toContain(`ExecStart=/usr/bin/env bash ${join(REPO, 'bin/apictl-keeper')} --resurrect --foreground\n`);
    expect(unit).toContain(`ExecStop=/usr/bin/env node ${join(REPO, 'bin/apictl')} kill\n`);
    expect(unit).toContain('Environment=APICTL_HOME=/root/.apictl\n');
    const file = join(dir, 'apictl-root.service');
    writeFileSync(file, unit);
    execFileSync('systemd-analyze', ['verify', file], { stdio: 'pipe' });
    expect(existsSync('/usr/bin/env')).toBe(true);
  });

  it('runs as systemd would run it: resurrects at boot, restarts a killed daemon with the services untouched, stops on ExecStop', async () => {
    const home = tempDir('apictl-boot-');
    const env = { ...process.env, APICTL_HOME: home, APICTL_PORT_BASE: '22160', NO_COLOR: '1' };
    execFileSync(process.execPath, [BIN, 'start', join(FIXTURES, 'echo-server.js'), '--name', 'boot'], { env });
    execFileSync(process.execPath, [BIN, 'save'], { env });
    execFileSync(process.execPath, [BIN, 'kill'], { env });
    const unit = renderUnit({ user: null, home, apictlHome: home, apictlBin: join(REPO, 'bin/apictl'), path: process.env.PATH ?? '/usr/bin:/bin', scope: 'user' });
    const line = (key: string) => unit.split('\n').find((entry) => entry.startsWith(`${key}=`))!.slice(key.length + 1).split(' ');
    const unitEnv = Object.fromEntries(unit.split('\n').filter((entry) => entry.startsWith('Environment=')).map((entry) => entry.slice('Environment='.length).split(/=(.*)/s).slice(0, 2)));
    const [program, ...args] = line('ExecStart');
    const keeper = spawn(program!, args, { env: { ...process.env, ...unitEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let journal = '';
    keeper.stdout.on('data', (chunk) => (journal += chunk));
    try {
      await waitFor('the resurrected service in the journal', () => journal, (text) => text.includes('"msg":"resurrected dump.json"'), 20_000);
      const listed = () => JSON.parse(execFileSync(process.execPath, [BIN, 'list', '--json'], { env, encoding: 'utf8' })) as Array<{ instances: Array<{ pid: number; status: string }> }>;
      const child = await waitFor('boot online', () => listed()[0]!.instances[0]!, (instance) => instance.status === 'online', 20_000);
      const daemon = Number(readFileSync(join(home, 'daemon.pid'), 'utf8'));
      process.kill(daemon, 'SIGKILL');
      await waitFor('a new daemon', () => Number(readFileSync(join(home, 'daemon.pid'), 'utf8')), (pid) => pid !== daemon && isAlive(pid), 20_000);
      expect(listed()[0]!.instances[0]!.pid).toBe(child.pid);
      const [stopProgram, ...stopArgs] = line('ExecStop');
      execFileSync(stopProgram!, stopArgs, { env: { ...process.env, ...unitEnv } });
      const code = await new Promise((resolve) => keeper.once('exit', resolve));
      expect(code).toBe(0);
      expect(isAlive(child.pid)).toBe(false);
    } finally {
      if (keeper.exitCode === null) keeper.kill('SIGKILL');
    }
  });

  it('quotes paths with spaces so verify still passes', () => {
    const unit = renderUnit({ user: null, home: '/home/a b', apictlHome: '/home/a b/.apictl', apictlBin: join(REPO, 'bin/apictl'), path: '/usr/bin:/bin', scope: 'user' });
    expect(unit).toContain('Environment="APICTL_HOME=/home/a b/.apictl"');
    expect(unit).toContain('WantedBy=default.target');
    expect(unit).not.toContain('User=');
  });

  it('`startup --print` prints the unit for this user and home; install explains a missing systemd', async () => {
    const printed = await harness.ok(['startup', '--print']);
    expect(printed.stdout).toContain(`Environment=APICTL_HOME=${harness.home}`);
    expect(printed.stdout).toContain(`ExecStart=/usr/bin/env bash ${join(REPO, 'bin/apictl-keeper')} --resurrect --foreground`);
    if (!existsSync('/run/systemd/system')) {
      const installed = await harness.run(['startup']);
      expect(installed.code).toBe(1);
      expect(installed.stderr).toMatch(/^apictl: systemd is not running on this machine/);
      expect(installed.stderr).toContain('apictl daemon --resurrect');
    }
  });
});

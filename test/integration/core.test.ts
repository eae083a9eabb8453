import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, statSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { FIXTURES, Harness, REPO, httpGet } from '../helpers/harness.js';

const harness = new Harness(21000);
afterAll(() => harness.cleanup());

describe('core lifecycle', () => {
  beforeAll(() => copyFileSync(join(REPO, 'examples/run-api.ts'), join(harness.work, 'run-api.ts')));

  it('runs `apictl start --interpreter node run-api.ts` (TypeScript on Node 20) and lists it online', async () => {
    const started = await harness.ok(['start', '--interpreter', 'node', 'run-api.ts']);
    expect(started.stdout).toMatch(/^run-api: started \(online, port 21000, pid \d+\)$/m);
    const service = await harness.service('run-api');
    expect(service).toMatchObject({ name: 'run-api', status: 'online', port: 21000, interpreter: 'node', restarts: 0 });
    expect(service.instances[0]).toMatchObject({ index: 0, status: 'online', port: 21000, restarts: 0 });
    expect(service.instances[0]!.pid).toBeGreaterThan(0);
    const answer = await httpGet(21000);
    expect(JSON.parse(answer.body)).toMatchObject({ message: 'hello from TypeScript', port: 21000, pid: service.instances[0]!.pid });
  });

  it('keeps the daemon home private: home 0700, socket 0600', () => {
    expect(statSync(harness.home).mode & 0o777).toBe(0o700);
    expect(statSync(join(harness.home, 'daemon.sock')).mode & 0o777).toBe(0o600);
    for (const file of ['daemon.pid', 'daemon.log', 'state.json', 'logs/run-api.out.log']) expect(existsSync(join(harness.home, file))).toBe(true);
  });

  it('answers ping with the daemon pid', async () => {
    const { stdout } = await harness.ok(['ping']);
    expect(stdout).toBe(`pong (daemon pid ${harness.daemonPid()})\n`);
  });

  it('prints a table with every column', async () => {
    // CPU and memory come with the first sample after start ("-" until then).
    const stdout = await harness.waitFor('figures in list', async () => (await harness.ok(['list'])).stdout, (text) => /MB/.test(text));
    const [header, row] = stdout.split('\n');
    expect(header).toMatch(/^name\s+inst\s+status\s+pid\s+port\s+cpu\s+memory\s+restarts\s+uptime$/);
    expect(row).toMatch(/^run-api\s+0\s+online\s+\d+\s+21000\s+[\d.]+%\s+[\d.]+ (B|KB|MB)\s+0\s+\d+[smh]/);
    expect(stdout).not.toMatch(/\u001b\[/);
  });

  it('passes PORT, APICTL_* and --env; {port} and shell syntax reach the child literally', async () => {
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'echo', '--env', 'GREETING=hi there', '--', '--listen={port}', '$(touch pwned)', '; rm -rf /']);
    const service = await harness.service('echo');
    const body = JSON.parse((await httpGet(service.port!)).body);
    expect(body.argv).toEqual([`--listen=${service.port}`, '$(touch pwned)', '; rm -rf /']);
    expect(body.env).toMatchObject({ PORT: String(service.port), APICTL_NAME: 'echo', APICTL_INSTANCE: '0', GREETING: 'hi there' });
    expect(existsSync(join(harness.work, 'pwned'))).toBe(false);
  });

  it('keeps an assigned port across restart, with a new pid', async () => {
    const before = await harness.service('echo');
    const { stdout } = await harness.ok(['restart', 'echo']);
    expect(stdout).toMatch(/^echo: restarted \(online/m);
    const after = await harness.service('echo');
    expect(after.port).toBe(before.port);
    expect(after.instances[0]!.pid).not.toBe(before.instances[0]!.pid);
    expect(after.restarts).toBe(1);
  });

  it('treats starting the same definition again as a no-op, and a different one as an error', async () => {
    const same = await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'echo', '--env', 'GREETING=hi there', '--', '--listen={port}', '$(touch pwned)', '; rm -rf /']);
    expect(same.stdout).toMatch(/^echo: already running with this definition; nothing to do/m);
    const different = await harness.run(['start', join(FIXTURES, 'echo-server.js'), '--name', 'echo']);
    expect(different.code).toBe(1);
    expect(different.stderr).toMatch(/^apictl: echo: a service with this name exists with a different definition/);
  });

  it('stops, shows and deletes', async () => {
    const pid = (await harness.service('echo')).instances[0]!.pid!;
    const stopped = await harness.ok(['stop', 'echo']);
    expect(stopped.stdout).toMatch(/^echo: stopped \(stopped/m);
    expect((await harness.service('echo')).status).toBe('stopped');
    expect(() => process.kill(pid, 0)).toThrow();
    const shown = await harness.ok(['show', 'echo', '--json']);
    expect(JSON.parse(shown.stdout).snapshot).toMatchObject({ name: 'echo', status: 'stopped' });
    const text = await harness.ok(['show', 'echo']);
    expect(text.stdout).toContain('script');
    expect(text.stdout).toContain('echo-server.js');
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'echo', '--env', 'GREETING=hi there', '--', '--listen={port}', '$(touch pwned)', '; rm -rf /']);
    expect((await harness.service('echo')).status).toBe('online');
    await harness.ok(['delete', 'echo']);
    expect((await harness.list()).map((service) => service.name)).toEqual(['run-api']);
  });

  it('refuses bad names and unknown services with one clear line', async () => {
    const badName = await harness.run(['start', join(FIXTURES, 'echo-server.js'), '--name', '../etc']);
    expect(badName.code).toBe(1);
    expect(badName.stderr.split('\n')[0]).toBe('apictl: name: must start with a letter or digit and use only letters, digits, ".", "_", "-" (at most 64), got "../etc"');
    const unknown = await harness.run(['stop', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^apictl: no service named "nope"\nhint: known: run-api\n$/);
    // --json: the error is JSON on stderr, so stdout stays what a script parses.
    const json = await harness.run(['stop', 'nope', '--json']);
    expect(json.code).toBe(1);
    expect(json.stdout).toBe('');
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'APICTL_UNKNOWN_SERVICE' } });
  });

  it('says so when the daemon speaks another protocol version', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect({ path: join(harness.home, 'daemon.sock') });
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk;
        if (text.includes('\n')) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on('error', reject);
      // Split mid-message on purpose: the daemon must reassemble it.
      socket.write('{"id":7,"method":"list",');
      setImmediate(() => socket.write('"protocol":999}\n'));
    });
    expect(JSON.parse(reply)).toMatchObject({ id: 7, ok: false, error: { code: 'APICTL_PROTOCOL_MISMATCH' } });
    expect(JSON.parse(reply).error.message).toMatch(/from another apictl build/);
  });

  it('runs the CLI from any directory and prints help for every command', async () => {
    const { stdout } = await harness.ok(['--help'], { cwd: '/' });
    for (const command of ['start', 'stop', 'restart', 'reload', 'delete', 'list', 'show', 'logs', 'flush', 'save', 'resurrect', 'ping', 'kill', 'daemon']) {
      expect(stdout).toContain(`  ${command}`);
    }
    const startHelp = await harness.ok(['start', '--help']);
    expect(startHelp.stdout).toContain('--interpreter <bin>');
  });
});

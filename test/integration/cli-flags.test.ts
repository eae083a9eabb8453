import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, Harness, httpGet } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait.js';

const harness = new Harness(25000);
const echo = join(FIXTURES, 'echo-server.js');
afterAll(() => harness.cleanup());

describe('the flags and aliases pm2 and docker users type', () => {
  it('-v, -V and --version print the version', async () => {
    const outputs = await Promise.all(['-v', '-V', '--version'].map(async (flag) => (await harness.ok([flag])).stdout));
    expect(outputs[0]).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(new Set(outputs).size).toBe(1);
  });

  it('start -n NAME -p PORT -e K=V -i N --max-memory-restart', async () => {
    await harness.ok(['start', echo, '-n', 'flags', '-p', '25010', '-e', 'GREETING=hi', '-e', 'FROM_FLAG=1', '-i', '2', '--max-memory-restart', '300M']);
    const service = await harness.service('flags');
    expect(service.port).toBe(25010);
    expect(service.instances).toHaveLength(2);
    expect(service.definition.maxMemoryBytes).toBe(300 * 1024 ** 2);
    const body = JSON.parse((await httpGet(25010)).body) as { env: Record<string, string> };
    expect(body.env).toMatchObject({ GREETING: 'hi', FROM_FLAG: '1' });
  });

  it('start NAME starts a stopped service, leaves a running one, and a word that names nothing is still a missing script', async () => {
    await harness.ok(['stop', 'flags']);
    const started = await harness.ok(['start', 'flags']);
    expect(started.stdout).toMatch(/flags/);
    expect((await harness.service('flags')).status).toBe('online');
    const again = await harness.ok(['start', 'flags', '--json']);
    expect(JSON.parse(again.stdout)[0]).toMatchObject({ name: 'flags', action: 'already-running' });
    const unknown = await harness.run(['start', 'nothing-by-this-name']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr.split('\n')[0]).toMatch(/^apictl: script: file not found: nothing-by-this-name/);
  });

  it('-i max runs one instance per core', async () => {
    await harness.ok(['start', echo, '--name', 'per-core', '--instances', 'max', '--port', '25011']);
    expect((await harness.service('per-core')).instances).toHaveLength(availableParallelism());
  });

  it('status, ps and ls print what list prints; describe and info what show prints', async () => {
    const list = (await harness.ok(['list', '--json'])).stdout;
    for (const alias of ['status', 'ps', 'ls']) {
      const names = (JSON.parse((await harness.ok([alias, '--json'])).stdout) as Array<{ name: string }>).map((service) => service.name);
      expect(names).toEqual((JSON.parse(list) as Array<{ name: string }>).map((service) => service.name));
    }
    for (const alias of ['describe', 'info']) {
      expect(JSON.parse((await harness.ok([alias, 'flags', '--json'])).stdout)).toMatchObject({ snapshot: { name: 'flags', port: 25010 } });
    }
  });

  it('logs -n N and --lines N print that many lines; -f and --follow keep following', async () => {
    for (let request = 0; request < 4; request++) await httpGet(25010, `/r${request}`);
    await waitFor('4 request lines', async () => (await harness.ok(['logs', 'flags', '--no-follow', '--out', '-n', '50'])).stdout, (text) => (text.match(/request GET \/r/g) ?? []).length === 4);
    const short = await harness.ok(['logs', 'flags', '-n', '2', '--no-follow', '--out']);
    expect(short.stdout.trim().split('\n')).toHaveLength(2);
    const long = await harness.ok(['logs', 'flags', '--lines', '3', '--no-follow', '--out']);
    expect(long.stdout.trim().split('\n')).toHaveLength(3);
    // pm2's `logs --nostream` prints and exits too.
    const pm2Style = await harness.ok(['logs', 'flags', '--lines', '3', '--nostream', '--out']);
    expect(pm2Style.stdout).toBe(long.stdout);
    for (const flag of ['-f', '--follow']) {
      const child = spawn(process.execPath, [BIN, 'logs', 'flags', flag, '-n', '0'], { env: harness.env });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      try {
        await waitFor(`logs ${flag} to print a new line`, async () => {
          await httpGet(25010, `/follow${flag}`);
          return out;
        }, (text) => text.includes(`request GET /follow${flag}`));
      } finally {
        child.kill();
      }
    }
  });

  it('--wait-timeout 5 means 5 ms, like every duration without a unit', async () => {
    const hurried = await harness.run(['start', echo, '--name', 'hurried', '--port', '25012', '--wait-timeout', '5']);
    expect(hurried.code).toBe(1);
    expect(hurried.stderr).toMatch(/^apictl: hurried did not become ready: not ready within/);
    await harness.ok(['delete', 'hurried']);
    await harness.ok(['start', echo, '--name', 'patient', '--port', '25012', '--wait-timeout', '30s']);
    expect((await harness.service('patient')).status).toBe('online');
    const bad = await harness.run(['restart', 'patient', '--wait-timeout', 'soon']);
    expect(bad.stderr).toBe('apictl: --wait-timeout: expected a duration, got "soon"\nhint: a bare number is milliseconds; or 500ms, 5s, 2m, 1h\n');
  });

  it('a reader that closes the pipe early (| head) ends the command quietly: no EPIPE stack', async () => {
    for (const args of [['status', '--help'], ['completion', 'bash'], ['logs', 'flags', '-n', '5', '--no-follow']]) {
      const child = spawn(process.execPath, [BIN, ...args], { env: harness.env });
      // Closed before the command writes anything: its first write meets a pipe nobody reads.
      child.stdout.destroy();
      let err = '';
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect({ args, code, err }).toEqual({ args, code: 0, err: '' });
    }
  });

  it('suggests the command or option meant', async () => {
    const command = await harness.run(['lsit']);
    expect(command.code).toBe(1);
    expect(command.stderr).toBe("apictl: unknown command 'lsit'\nhint: did you mean list? apictl --help lists the commands\n");
    const option = await harness.run(['start', echo, '--nmae', 'x']);
    expect(option.stderr).toBe("apictl: unknown option '--nmae'\nhint: did you mean --name? apictl start --help shows its arguments and options\n");
  });

  it('help shows examples, the duration rule and the environment variables apictl reads', async () => {
    const root = (await harness.ok(['--help'])).stdout;
    for (const text of ['APICTL_HOME', 'APICTL_PORT_BASE', 'a bare number is milliseconds', 'Examples:', 'completion', 'import']) expect(root).toContain(text);
    const start = (await harness.ok(['help', 'start'])).stdout;
    expect(start).toContain('apictl start app.py -n api -p 8080 --health /health');
    expect(start).toMatch(/-n, --name <name>/);
    expect(start).toMatch(/--wait-timeout <duration>\s+how long to wait for ready, default 30s \(a bare\s+number is\s+milliseconds/);
    expect((await harness.ok(['logs', '--help'])).stdout).toMatch(/-f, --follow/);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, Harness, sweepHome } from '../helpers/harness.js';
import { answeringDaemon } from '../helpers/daemon-socket.js';
import { rssOf } from '../helpers/wait.js';

// SPEC §1/§12: the control socket caps what it reads and answers every
// malformed request; the CLI sends nothing to a home or socket that is not
// private to the user (a secret in --env must not reach someone else's socket).
const harness = new Harness(23500);
afterAll(() => harness.cleanup());
const isRoot = process.getuid?.() === 0;

/** Raw lines to the daemon on one connection; resolves with every line it sent back before closing (or `untilLines`). */
function rawExchange(lines: string[], untilLines: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path: join(harness.home, 'daemon.sock') });
    let text = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(text.split('\n').filter(Boolean));
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no ${untilLines} answers within 10 s; got ${JSON.stringify(text)}`));
    }, 10_000);
    socket.on('connect', () => socket.write(lines.join('')));
    socket.on('data', (chunk) => {
      text += chunk;
      if (text.split('\n').filter(Boolean).length >= untilLines) done();
    });
    socket.on('close', done);
    socket.on('error', reject);
  });
}

describe('the control socket', () => {
  it('answers null, arrays, numbers and half requests with an error each, and keeps serving', async () => {
    await harness.ok(['ping']);
    const answers = await rawExchange(['null\n', '[]\n', '42\n', '"ping"\n', '{"id":7}\n', '{"id":8,"method":"nope","protocol":1,"params":{}}\n'], 6);
    expect(answers).toHaveLength(6);
    for (const answer of answers) expect(JSON.parse(answer)).toMatchObject({ ok: false, error: { code: expect.stringMatching(/^APICTL_/) } });
    expect(JSON.parse(answers[4]!).id).toBe(7);
    expect(await answeringDaemon(harness.home)).toBe(harness.daemonPid());
  });

  it('a 64 MB message without a newline is refused after 1 MiB: the daemon neither grows nor stalls', async () => {
    const daemon = harness.daemonPid()!;
    const before = rssOf(daemon);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket: Socket = connect({ path: join(harness.home, 'daemon.sock') });
      const block = Buffer.alloc(1024 * 1024, 0x78);
      let sent = 0;
      let text = '';
      const pump = () => {
        while (sent < 64 && !socket.destroyed) {
          sent++;
          if (!socket.write(block)) return void socket.once('drain', pump);
        }
      };
      socket.on('connect', pump);
      socket.on('data', (chunk) => (text += chunk));
      socket.on('error', () => undefined); // the daemon stops reading and closes: EPIPE here is expected
      socket.on('close', () => (text ? resolve(text) : reject(new Error('closed without an answer'))));
    });
    expect(JSON.parse(answer.split('\n')[0]!)).toMatchObject({ ok: false, error: { code: 'APICTL_BAD_REQUEST', message: expect.stringContaining('larger than 1048576 bytes') } });
    expect(await answeringDaemon(harness.home)).toBe(daemon);
    expect(rssOf(daemon) - before).toBeLessThan(32 * 1024 * 1024);
  });

  it('a caller that is not JSON is answered once and cut off; others are not affected', async () => {
    const [answer] = await rawExchange(['this is not json\n{"id":1,"method":"ping","protocol":1,"params":{}}\n'], 2);
    expect(JSON.parse(answer!)).toMatchObject({ ok: false, error: { code: 'APICTL_BAD_REQUEST', message: 'request is not valid JSON' } });
    expect((await harness.run(['ping'])).code).toBe(0);
  });
});

describe('trust in the home and its socket', () => {
  const work = mkdtempSync(join(tmpdir(), 'apictl-trust-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.runIf(isRoot)('sends nothing — not even a connection — to a 0777 home another user owns, and says why in one line', async () => {
    const home = join(work, 'foreign');
    mkdirSync(home);
    chmodSync(home, 0o777);
    let connections = 0;
    let received = 0;
    const squatter = createServer((socket) => {
      connections++;
      socket.on('data', (chunk) => (received += chunk.length));
    });
    await new Promise<void>((resolve) => squatter.listen(join(home, 'daemon.sock'), resolve));
    try {
      chmodSync(join(home, 'daemon.sock'), 0o777);
      chownSync(join(home, 'daemon.sock'), 65534, 65534);
      chownSync(home, 65534, 65534);
      const result = await harness.run(['start', join(FIXTURES, 'echo-server.js'), '--name', 'x', '--env', 'SECRET=hunter2'], { env: { APICTL_HOME: home } });
      expect(result.code).not.toBe(0);
      expect(result.stderr.split('\n')[0]).toBe(`apictl: ${home} belongs to uid 65534, not to you (uid 0)`);
      expect({ connections, received }).toEqual({ connections: 0, received: 0 });
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('refuses a home of ours that others may write to, naming the fix', async () => {
    const home = join(work, 'open');
    mkdirSync(home);
    chmodSync(home, 0o777);
    const result = await harness.run(['ping'], { env: { APICTL_HOME: home } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`${home} can be written by others (mode 777)`);
    expect(result.stderr).toContain(`chmod 700 ${home}`);
  });

  it('closes a home of ours that others may only read (0755 becomes 0700) and carries on', async () => {
    const home = join(work, 'readable');
    mkdirSync(home);
    chmodSync(home, 0o755);
    const run = (args: string[]) => harness.run(args, { env: { APICTL_HOME: home } });
    try {
      expect((await run(['ping'])).code).toBe(0);
      expect(statSync(home).mode & 0o777).toBe(0o700);
    } finally {
      await run(['kill']);
      sweepHome(home);
    }
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness, httpGet } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait.js';

// What a daemon has loaded, read from the running daemon itself: each node
// module a daemon loads pages in its code and keeps its objects for good
// (issue 15: memory at rest). A daemon with no services needs none of these.
const harness = new Harness(29500);
afterAll(() => harness.cleanup());

const out = () => join(harness.work, 'modules.json');
const env = () => ({
  // The fixture that reports what is loaded, through NODE_OPTIONS: the daemon keeps the keeper's own flags.
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(FIXTURES, 'loaded-modules.cjs')}`.trim(),
  APICTL_TEST_MODULES_OUT: out(),
});

interface Loaded {
  builtins: string[];
  files: string[];
  execArgv: string[];
  /** V8's optimizing compiler would compile a hot function now. */
  optimizing: boolean;
}

async function loaded(): Promise<Loaded> {
  rmSync(out(), { force: true });
  const pid = harness.daemonPid();
  expect(pid).not.toBeNull();
  process.kill(pid!, 'SIGWINCH');
  await waitFor('the daemon to write what it has loaded', () => existsSync(out()), Boolean, 10_000);
  return JSON.parse(readFileSync(out(), 'utf8')) as Loaded;
}

const bundleFile = (files: string[], name: string) => files.some((file) => file.endsWith(`/dist/bundle/${name}`));

describe('a daemon loads a module when it first needs it, not at start', () => {
  it('with no services: no crypto, zlib, worker threads, assert, http, dotenv or execa', async () => {
    await harness.ok(['list'], { env: env() });
    const { builtins, files, execArgv, optimizing } = await loaded();
    expect(execArgv).toContain('--expose-gc'); // the keeper's flags, as a user's daemon runs
    expect(optimizing).toBe(false); // --no-turbofan: its code pages stay out until a balancer
    expect(builtins).toContain('net'); // the walk works: the control socket is a net server
    for (const module of ['crypto', 'zlib', 'worker_threads', 'assert', 'http']) expect(builtins, module).not.toContain(module);
    for (const file of ['vendor-dotenv.cjs', 'vendor-execa.cjs', 'vendor-zod.cjs']) expect(bundleFile(files, file), file).toBe(false);
  });

  const startPrinting = async (name: string, extra: Record<string, unknown>) => {
    const printed = join(harness.work, `${name}.json`);
    const file = join(harness.work, `${name}-services.json`);
    writeFileSync(file, JSON.stringify({ services: [{ name, script: join(FIXTURES, 'print-env.js'), args: [printed], port: null, ...extra }] }));
    await harness.ok(['start', file], { env: env() });
    await waitFor(`${name} to write its environment`, () => existsSync(printed), Boolean, 20_000);
    return JSON.parse(readFileSync(printed, 'utf8')) as Record<string, string>;
  };

  it('a service loads execa to spawn it; its run id comes without node:crypto', async () => {
    const seen = await startPrinting('plain', {});
    expect(seen.APICTL_SPAWN_ID).toMatch(/^[0-9a-f]{12}$/);
    const { builtins, files } = await loaded();
    expect(bundleFile(files, 'vendor-execa.cjs')).toBe(true);
    expect(bundleFile(files, 'vendor-dotenv.cjs')).toBe(false);
    for (const module of ['crypto', 'worker_threads', 'assert']) expect(builtins, module).not.toContain(module);
  });

  it('dotenv is loaded with the first service that has an envFile', async () => {
    const envFile = join(harness.work, 'app.env');
    writeFileSync(envFile, 'GREETING="hello there"\n');
    expect((await startPrinting('envy', { envFile })).GREETING).toBe('hello there');
    expect(bundleFile((await loaded()).files, 'vendor-dotenv.cjs')).toBe(true);
  });

  it("V8's optimizing compiler is off until the first balancer, then on for the daemon's life", async () => {
    await startPrinting('single', {});
    expect((await loaded()).optimizing).toBe(false);
    const port = harness.portBase + 10;
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'pair', '--port', String(port), '--instances', '2'], { env: env() });
    expect((await httpGet(port, '/')).status).toBe(200);
    expect((await loaded()).optimizing).toBe(true);
    await harness.ok(['delete', 'pair'], { env: env() });
    expect((await loaded()).optimizing).toBe(true);
  });
});

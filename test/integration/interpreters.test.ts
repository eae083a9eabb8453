import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { FIXTURES, Harness, REPO, httpGet } from '../helpers/harness.js';

const harness = new Harness(21600);
afterAll(() => harness.cleanup());

describe('interpreters', () => {
  it('runs TypeScript by extension', async () => {
    await harness.ok(['start', join(FIXTURES, 'typed-api.ts')]);
    const service = await harness.service('typed-api');
    expect(JSON.parse((await httpGet(service.port!)).body)).toEqual({ kind: 'typescript', port: service.port });
  });

  it('runs Python by extension with python3', async () => {
    await harness.ok(['start', join(REPO, 'examples/api.py'), '--name', 'py', '--health', '/health']);
    const service = await harness.service('py');
    expect(service.interpreter).toBe('python3');
    expect(JSON.parse((await httpGet(service.port!)).body)).toMatchObject({ hello: 'from Python' });
  });

  it('runs an R Plumber API with Rscript', async () => {
    await harness.ok(['start', join(REPO, 'examples/plumber.R'), '--name', 'plumber', '--health', '/health']);
    const service = await harness.service('plumber');
    expect(service.interpreter).toBe('Rscript');
    expect(JSON.parse((await httpGet(service.port!, '/hello')).body)).toMatchObject({ hello: ['from R'] });
  });

  it('runs a shebang script directly with --interpreter none', async () => {
    await harness.ok(['start', join(FIXTURES, 'shebang-server'), '--interpreter', 'none']);
    const service = await harness.service('shebang-server');
    expect(service.interpreter).toBe('none');
    expect((await httpGet(service.port!)).body).toBe('shebang ok\n');
  });

  it('runs a portless bash worker (online after 1 s alive)', async () => {
    const { stdout } = await harness.ok(['start', join(FIXTURES, 'worker.sh'), '--no-port']);
    expect(stdout).toMatch(/^worker: started \(online, no port, pid \d+\)$/m);
    expect((await harness.service('worker')).interpreter).toBe('bash');
  });

  it('counts the whole process group: a bash wrapper shows its node server memory', async () => {
    await harness.ok(['start', join(FIXTURES, 'wrapper.sh'), '--name', 'wrapped']);
    const service = await harness.waitFor('a sample', () => harness.service('wrapped'), (found) => found.instances[0]!.memory > 0);
    // bash alone is a few MB; with the node server in its group it is tens.
    expect(service.instances[0]!.memory).toBeGreaterThan(20 * 1024 * 1024);
  });

  it('says clearly when the interpreter does not exist', async () => {
    const result = await harness.run(['start', join(FIXTURES, 'echo-server.js'), '--name', 'ghost', '--interpreter', 'no-such-runtime']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^apictl: ghost did not become ready: cannot run no-such-runtime: not found$/m);
    await harness.ok(['delete', 'ghost']);
  });
});

import { describe, expect, it } from 'vitest';
import { buildCommand, chooseInterpreter, defaultStopSignal } from '../../src/process/interpreter.js';

const context = { nodePath: '/opt/node/bin/node', tsxLoaderUrl: 'file:///x/tsx/dist/loader.mjs' };

describe('chooseInterpreter', () => {
  it.each([
    ['app.js', undefined, 'node'], ['app.mjs', undefined, 'node'], ['app.cjs', undefined, 'node'],
    ['app.ts', undefined, 'node'], ['app.mts', undefined, 'node'], ['app.cts', undefined, 'node'],
    ['api.py', undefined, 'python3'], ['plumber.R', undefined, 'Rscript'], ['plumber.r', undefined, 'Rscript'],
    ['run.sh', undefined, 'bash'], ['app.rb', undefined, 'ruby'], ['server', undefined, 'none'],
    ['app.py', 'python3.11', 'python3.11'], ['app.js', 'none', 'none'],
  ])('%s (interpreter %s) → %s', (script, explicit, expected) => {
    expect(chooseInterpreter(script, explicit)).toBe(expected);
  });
});

describe('defaultStopSignal', () => {
  it.each([['Rscript', 'SIGINT'], ['/usr/bin/Rscript', 'SIGINT'], ['node', 'SIGTERM'], ['python3', 'SIGTERM'], ['none', 'SIGTERM']])(
    '%s → %s',
    (interpreter, signal) => expect(defaultStopSignal(interpreter)).toBe(signal),
  );
});

describe('buildCommand', () => {
  const base = { interpreterArgs: [], args: [], port: 8000 };

  it('runs TypeScript through node with the tsx loader', () => {
    expect(buildCommand({ ...base, script: '/a/run-api.ts', interpreter: 'node' }, context)).toEqual({
      file: '/opt/node/bin/node',
      args: ['--import', context.tsxLoaderUrl, '/a/run-api.ts'],
    });
  });

  it('puts interpreter args before the script and script args after', () => {
    expect(buildCommand({ ...base, script: '/a/x.js', interpreterArgs: ['--max-old-space-size=64'], args: ['--flag'] }, context)).toEqual({
      file: '/opt/node/bin/node',
      args: ['--max-old-space-size=64', '/a/x.js', '--flag'],
    });
  });

  it('replaces {port} in arguments and passes shell syntax literally', () => {
    expect(buildCommand({ ...base, script: '/a/x.py', args: ['--port={port}', '$(touch x)'] }, context)).toEqual({
      file: 'python3',
      args: ['/a/x.py', '--port=8000', '$(touch x)'],
    });
  });

  it('executes a script directly with interpreter none', () => {
    expect(buildCommand({ ...base, script: '/a/server', interpreter: 'none', args: ['a'] }, context)).toEqual({ file: '/a/server', args: ['a'] });
  });

  it('keeps an explicit node path', () => {
    expect(buildCommand({ ...base, script: '/a/x.js', interpreter: '/usr/local/bin/node' }, context).file).toBe('/usr/local/bin/node');
  });
});

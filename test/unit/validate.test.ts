import { describe, expect, it } from 'vitest';
import { validateService, validateServicesFile, type FileProbe } from '../../src/config/validate.js';

const files = new Set(['/srv/app.js', '/srv/api/main.py', '/srv/.env', '/usr/bin/uvicorn']);
const probe: FileProbe = {
  isFile: (path) => files.has(path),
  which: (command) => (files.has(`/usr/bin/${command}`) ? `/usr/bin/${command}` : null),
};

function issuesOf(raw: unknown): string[] {
  const result = validateServicesFile(raw, '/srv', probe);
  return result.ok ? [] : result.issues;
}

describe('validateServicesFile', () => {
  it('resolves relative paths against the file folder and fills defaults', () => {
    const result = validateServicesFile(
      { services: [{ name: 'api', script: 'api/main.py', cwd: 'api', envFile: '.env', env: { A: 1, B: true } }] },
      '/srv',
      probe,
    );
    expect(result).toMatchObject({
      ok: true,
      drafts: [{
        name: 'api', script: '/srv/api/main.py', cwd: '/srv/api', envFile: '/srv/.env', port: 'auto', instances: 1,
        env: { A: '1', B: 'true' }, restart: 'always', maxRestarts: 10, restartDelayMs: 100, killTimeoutMs: 5000,
      }],
    });
  });

  it('reports every problem at once with its field path and the value', () => {
    const issues = issuesOf({
      services: [
        { name: 'ok', script: 'app.js', port: 8001 },
        { name: 'bad name!', script: 'app.js', port: 70000, bogus: 1 },
        { name: 'ok', script: 'missing.js', port: 8001 },
        { script: 'app.js', restart: 'sometimes', killTimeout: 'soon', maxMemory: 'lots', health: 'health' },
        { name: 'dup', script: 'app.js', port: 8001 },
      ],
    });
    expect(issues).toEqual(expect.arrayContaining([
      'services[1]: unknown field "bogus"',
      expect.stringMatching(/^services\[1\]\.name: must start with a letter or digit.*, got "bad name!"$/),
      'services[1].port: must be 1..65535 (or false for a service without a port), got 70000',
      'services[2].script: file not found: missing.js (looked in /srv and on PATH)',
      'services[3].restart: must be "always", "on-failure" or "never", got "sometimes"',
      'services[3].killTimeout: must be a duration like 5000 or "5s", got "soon"',
      'services[3].maxMemory: must be a size like 314572800 or "300M", got "lots"',
      expect.stringMatching(/^services\[3\]\.health: must be a path starting with "\/"/),
      'services[4].port: 8001 is already used by services[0]',
    ]));
  });

  it('refuses duplicate names', () => {
    expect(issuesOf({ services: [{ name: 'a', script: 'app.js' }, { name: 'a', script: 'app.js' }] })).toEqual([
      'services[1].name: "a" is already used by services[0]',
    ]);
  });

  it('says what is missing', () => {
    expect(issuesOf({ services: [{ name: 'a' }] })).toEqual(['services[0].script: must be a non-empty path (missing)']);
    expect(issuesOf({})).toEqual(['services: required (missing)']);
    expect(issuesOf({ services: [] })[0]).toMatch(/^services: must list at least one service/);
  });

  it('parses durations, sizes and health objects', () => {
    const result = validateServicesFile(
      { services: [{ script: 'app.js', killTimeout: '2s', restartDelay: 50, maxMemory: '300M', health: { path: '/h', interval: '1s', failures: 2 } }] },
      '/srv',
      probe,
    );
    expect(result).toMatchObject({
      ok: true,
      drafts: [{ name: 'app', killTimeoutMs: 2000, restartDelayMs: 50, maxMemoryBytes: 300 * 1024 * 1024, health: { path: '/h', intervalMs: 1000, timeoutMs: 5000, failures: 2 } }],
    });
  });

  it('accepts port false for a service without a port', () => {
    expect(validateServicesFile({ services: [{ script: 'app.js', port: false }] }, '/srv', probe)).toMatchObject({ ok: true, drafts: [{ port: null }] });
  });
});

describe('validateService (CLI flags)', () => {
  it('finds a bare command on PATH', () => {
    expect(validateService({ script: 'uvicorn', args: ['app:app', '--port', '{port}'] }, '/srv', probe)).toMatchObject({
      ok: true,
      drafts: [{ name: 'uvicorn', script: '/usr/bin/uvicorn', args: ['app:app', '--port', '{port}'] }],
    });
  });

  it('names fields without a file prefix', () => {
    expect(validateService({ script: 'app.js', instances: 0 }, '/srv', probe)).toEqual({
      ok: false,
      issues: ['instances: must be a whole number from 1 to 64, got 0'],
    });
  });
});

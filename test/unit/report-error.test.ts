import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApictlError } from '../../src/errors.js';
import { reportError } from '../../src/cli/report-error.js';

function stderrOf(error: unknown, json = false): string {
  const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  reportError(error, json);
  return write.mock.calls.map(([text]) => String(text)).join('');
}
afterEach(() => vi.restoreAllMocks());

describe('reportError', () => {
  it('prints a user error as one line, its issues and a hint, no stack', () => {
    const error = new ApictlError('APICTL_INVALID_CONFIG', 'f.json: 2 problems; nothing was started', { hint: 'fix it', details: { issues: ['a: bad', 'b: bad'] } });
    expect(stderrOf(error)).toBe('apictl: f.json: 2 problems; nothing was started\n  - a: bad\n  - b: bad\nhint: fix it\n');
  });

  it('prints a daemon bug (APICTL_INTERNAL) as a bug: its stack and please report', () => {
    const error = ApictlError.fromPayload({ code: 'APICTL_INTERNAL', message: 'boom', details: { stack: 'TypeError: boom\n    at handler (handlers.js:1:1)' } });
    expect(stderrOf(error)).toBe('apictl: internal error in the daemon (a bug: please report it with the lines below)\nTypeError: boom\n    at handler (handlers.js:1:1)\n');
  });

  it('prints a CLI bug with its stack', () => {
    expect(stderrOf(new TypeError('oops'))).toMatch(/^apictl: internal error in the CLI \(a bug: please report it with the lines below\)\nTypeError: oops\n {4}at /);
  });

  it('with --json, one JSON object on stderr', () => {
    expect(JSON.parse(stderrOf(new ApictlError('APICTL_USAGE', 'nope'), true))).toEqual({ error: { code: 'APICTL_USAGE', message: 'nope' } });
  });
});

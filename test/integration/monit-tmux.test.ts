import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, FIXTURES, Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait.js';

const harness = new Harness(22200);
const session = `apictl-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const pane = () => tmux('capture-pane', '-p', '-t', session);
afterAll(async () => {
  try {
    tmux('kill-session', '-t', session);
  } catch {
    // already gone: monit quit
  }
  await harness.cleanup();
});

describe('apictl monit in a real terminal (tmux)', () => {
  it('shows both services, restarts the selected one on r, and quits on q', async () => {
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'alpha']);
    await harness.ok(['start', join(FIXTURES, 'echo-server.js'), '--name', 'beta']);
    const env = `APICTL_HOME='${harness.home}' TERM=xterm-256color LANG=C.UTF-8`;
    tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', `env ${env} '${process.execPath}' '${BIN}' monit`);
    // Figures appear with the first sample (a "-" until then).
    const first = await waitFor('both rows with figures', pane, (text) => /^alpha\s+online.*MB/m.test(text) && /^beta\s+online.*MB/m.test(text));
    expect(first).toMatch(/^name\s+status\s+pid\s+port/m);
    expect(first).toMatch(/^alpha\s+online\s+\d+\s+22200\s+[\d.]+%\s+[\d.]+ MB\s+0/m);
    tmux('send-keys', '-t', session, 'j');
    await waitFor('beta selected', pane, (text) => text.includes('logs: beta'));
    tmux('send-keys', '-t', session, 'r');
    await waitFor('beta restarted once', pane, (text) => /^beta\s+online\s+\d+\s+\d+\s+[\d.]+%\s+[\d.]+ MB\s+1\s/m.test(text));
    expect((await harness.service('beta')).restarts).toBe(1);
    expect((await harness.service('alpha')).restarts).toBe(0);
    tmux('send-keys', '-t', session, 'q');
    await waitFor('monit to exit', () => {
      try {
        tmux('has-session', '-t', session);
        return false;
      } catch {
        return true;
      }
    });
  });
});

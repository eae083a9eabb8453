import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, Harness } from '../helpers/harness.js';
import { isAlive, waitFor } from '../helpers/wait.js';

const harness = new Harness(25200);
const echo = join(FIXTURES, 'echo-server.js');
const server = `apictl-test-monit-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', server, ...args], { encoding: 'utf8' });
afterAll(async () => {
  try {
    tmux('kill-server');
  } catch {
    // no server left
  }
  await harness.cleanup();
});

/** Runs apictl under a pseudo-terminal (script -qc), as a person at a terminal would. */
function underTerminal(args: string[]): Promise<{ code: number; output: string }> {
  const command = [process.execPath, BIN, ...args].map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(' ');
  return new Promise((resolve) => {
    execFile('script', ['-qec', command, '/dev/null'], { env: harness.env, cwd: harness.work, timeout: 60_000 }, (error, stdout) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout.replaceAll('\r', '') });
    });
  });
}

describe('on a terminal', () => {
  it('reports each service of a file as it becomes ready, and each instance of a reload as it is replaced', async () => {
    const file = join(harness.work, 'services.json');
    writeFileSync(file, JSON.stringify({ services: [{ name: 'p-one', script: echo, port: 25210 }, { name: 'p-two', script: echo, port: 25211, instances: 2 }] }));
    const start = await underTerminal(['start', file]);
    expect(start.code).toBe(0);
    expect(start.output).toMatch(/^ {2}✓ p-one ready after \d+\.\ds$/m);
    expect(start.output).toMatch(/^ {2}✓ p-two ready after \d+\.\ds$/m);
    const reload = await underTerminal(['reload', 'p-two']);
    expect(reload.code).toBe(0);
    expect(reload.output).toMatch(/^ {2}↻ p-two\[0\] replaced: pid \d+ → \d+ after \d+\.\ds$/m);
    expect(reload.output).toMatch(/^ {2}↻ p-two\[1\] replaced: pid \d+ → \d+ after \d+\.\ds$/m);
  });

  it('stays quiet and machine-readable with --json, and without a terminal', async () => {
    const json = await underTerminal(['restart', 'p-one', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.output)).toMatchObject([{ name: 'p-one', action: 'restarted', ok: true }]);
    const piped = await harness.ok(['restart', 'p-one']);
    expect(piped.stdout).not.toContain('ready after');
  });
});

describe('apictl completion', () => {
  it('bash: a script bash accepts, completing commands and the daemon’s service names', async () => {
    const script = (await harness.ok(['completion', 'bash'])).stdout;
    const file = join(harness.work, 'apictl.bash');
    writeFileSync(file, script);
    execFileSync('bash', ['-n', file]);
    const bin = join(harness.work, 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(BIN, join(bin, 'apictl'));
    const complete = (words: string) =>
      execFileSync('bash', ['-c', `source ${file}; COMP_WORDS=(${words}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); _apictl; printf '%s\\n' "\${COMPREPLY[@]}"`], {
        encoding: 'utf8',
        env: { ...harness.env, PATH: `${bin}:${process.env.PATH}` },
      }).split('\n').filter(Boolean);
    expect(complete("apictl 're'")).toEqual(expect.arrayContaining(['restart', 'reload', 'resurrect']));
    expect(complete("apictl stop ''")).toEqual(expect.arrayContaining(['all', 'p-one', 'p-two']));
    expect(complete("apictl logs '--f'")).toEqual(['--follow']);
  });

  it('zsh and fish scripts are printed too; an unknown shell is refused', async () => {
    expect((await harness.ok(['completion', 'zsh'])).stdout).toMatch(/^#compdef apictl\n/);
    expect((await harness.ok(['completion', 'fish'])).stdout).toContain("complete -c apictl -n '__fish_seen_subcommand_from stop' -a '(apictl __names 2>/dev/null) all'");
    const unknown = await harness.run(['completion', 'tcsh']);
    expect(unknown.stderr).toBe('apictl: completion: unknown shell "tcsh"\nhint: one of: bash, zsh, fish\n');
  });
});

describe('apictl monit', () => {
  it('refuses without a terminal instead of writing escape codes into a pipe', async () => {
    const result = await harness.run(['monit']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^apictl: monit needs a terminal, and its input or output is not one\nhint: /);
  });

  it('quits on the first SIGTERM and leaves the terminal as it was', async () => {
    const env = `APICTL_HOME='${harness.home}' TERM=xterm-256color LANG=C.UTF-8`;
    // A shell runs monit and reports how it ended, on the terminal monit had taken over.
    tmux('new-session', '-d', '-s', 'monit', '-x', '80', '-y', '24', `env ${env} '${process.execPath}' '${BIN}' monit; echo "monit exited $?"; sleep 60`);
    const pane = () => tmux('capture-pane', '-p', '-t', 'monit');
    await waitFor('the dashboard', pane, (text) => /^p-one\s+online/m.test(text));
    expect(tmux('display-message', '-p', '-t', 'monit', '#{alternate_on}').trim()).toBe('1');
    const shell = tmux('display-message', '-p', '-t', 'monit', '#{pane_pid}').trim();
    const pid = Number(execFileSync('pgrep', ['-P', shell], { encoding: 'utf8' }).trim().split('\n')[0]);
    process.kill(pid, 'SIGTERM');
    const after = await waitFor('monit to exit', pane, (text) => text.includes('monit exited'));
    expect(after).toMatch(/^monit exited 0$/m);
    expect(after).not.toMatch(/p-one\s+online/);
    expect(tmux('display-message', '-p', '-t', 'monit', '#{alternate_on}').trim()).toBe('0');
    expect(isAlive(pid)).toBe(false);
  });
});

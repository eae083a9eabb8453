import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness, REPO } from '../helpers/harness.js';

// The daemon loads its services-file checks (dist/bundle/daemon-checks.cjs)
// for a start and lets them go after. apictl upgraded under a running daemon
// puts another build's file there: the daemon must not check with it, must
// say what to do, and start nothing; `apictl update` then brings it in line.
const harness = new Harness(29450);
afterAll(() => harness.cleanup());

/** A copy of the installed apictl (bin, bundle) that the test can "upgrade" by rewriting a file. */
function install(): string {
  const root = join(harness.work, 'install');
  mkdirSync(join(root, 'dist'), { recursive: true });
  cpSync(join(REPO, 'bin'), join(root, 'bin'), { recursive: true });
  cpSync(join(REPO, 'dist/bundle'), join(root, 'dist/bundle'), { recursive: true });
  cpSync(join(REPO, 'package.json'), join(root, 'package.json'));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  return root;
}

function run(root: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // The checks are let go at once after each use, so the next start loads the file from disk again.
  const env = { ...harness.env, APICTL_CHECKS_IDLE_MS: '0' };
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin/apictl'), ...args], { env, cwd: harness.work, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('an upgrade under a running daemon', () => {
  it("a start after the daemon let go of its checks does not use another build's: it says run `apictl update`, starts nothing, and works after the update", async () => {
    const root = install();
    const echo = join(FIXTURES, 'echo-server.js');
    expect((await run(root, ['start', echo, '--name', 'before'])).code).toBe(0);
    // The upgrade: every file of the bundle is now another build's (the running daemon has its own in memory).
    const bundle = join(root, 'dist/bundle');
    const stamp = /var BUILD_ID="([^"]+)"/.exec(readFileSync(join(bundle, 'daemon-checks.cjs'), 'utf8'))?.[1];
    expect(stamp).toBeTruthy();
    for (const file of readdirSync(bundle)) {
      const text = readFileSync(join(bundle, file), 'utf8');
      if (text.includes(stamp!)) writeFileSync(join(bundle, file), text.replaceAll(stamp!, 'another-build'));
    }
    const refused = await run(root, ['start', echo, '--name', 'after']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/another build than this daemon/);
    expect(refused.stderr).toMatch(/apictl update/);
    const listed = JSON.parse((await run(root, ['list', '--json'])).stdout) as Array<{ name: string }>;
    expect(listed.map((service) => service.name)).toEqual(['before']);
    // The new daemon is the installed build: its own checks match.
    const daemon = harness.daemonPid();
    const updated = await run(root, ['update']);
    expect(updated.stderr).toBe('');
    expect(updated.code).toBe(0);
    expect(harness.daemonPid()).not.toBe(daemon);
    const started = await run(root, ['start', echo, '--name', 'after']);
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
  });
});

// apictl driven through its CLI, exactly as a user would.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { engineLifecycle, run } from '../lib.mjs';

const BIN = resolve(import.meta.dirname, '../../bin/apictl');

export function createApictl() {
  const work = mkdtempSync(join(tmpdir(), 'apictl-bench-'));
  const home = join(work, 'home');
  const env = { ...process.env, APICTL_HOME: home, NO_COLOR: '1' };
  const cli = (args) => run(process.execPath, [BIN, ...args], { env, cwd: work });
  const seen = new Set();
  const engine = {
    name: 'apictl',
    work,
    home,
    cli,
    env,
    startByName: (name) => cli(['restart', name]),
    listArgs: ['list', '--json'],
    async startFile(services) {
      const file = join(work, `services-${Date.now()}.json`);
      writeFileSync(file, JSON.stringify({ services: services.map((s) => ({ name: s.name, script: s.script, port: s.port ?? false, args: s.args ?? [], ...(s.env ? { env: s.env } : {}), ...(s.extra ?? {}), ...(s.apictl ?? {}) })) }));
      const result = await cli(['start', file, '--no-wait']);
      if (result.code !== 0) throw new Error(`apictl start failed: ${result.stderr}`);
    },
    async list() {
      const result = await cli(['list', '--json']);
      const services = JSON.parse(result.stdout);
      const rows = services.map((s) => ({ name: s.name, port: s.port, pids: s.instances.map((i) => i.pid).filter(Boolean), restarts: s.restarts, status: s.status }));
      for (const row of rows) for (const pid of row.pids) seen.add(pid);
      return rows;
    },
    ...engineLifecycle({ cli, work, seen, pidFile: join(home, 'daemon.pid') }),
    errFile: (name) => join(home, 'logs', `${name}.err.log`),
    logFile: (name) => join(home, 'logs', `${name}.out.log`),
  };
  return engine;
}

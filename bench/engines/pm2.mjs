// pm2, the reference: installed into a cache outside the repo, run with a temp
// PM2_HOME and no version check. The runner only calls this inside a
// loopback-only network namespace.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineLifecycle, run } from '../lib.mjs';

export const PM2_CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'apictl-bench', 'pm2');
export const PM2_BIN = join(PM2_CACHE, 'node_modules', 'pm2', 'bin', 'pm2');

export async function installPm2() {
  if (existsSync(PM2_BIN)) return;
  mkdirSync(PM2_CACHE, { recursive: true });
  const result = await run('npm', ['install', '--no-audit', '--no-fund', '--prefix', PM2_CACHE, 'pm2@7'], { timeoutMs: 300_000 });
  if (result.code !== 0) throw new Error(`npm install pm2 failed: ${result.stderr.slice(-500)}`);
}

export function createPm2() {
  const work = mkdtempSync(join(tmpdir(), 'pm2-bench-'));
  const home = join(work, 'pm2home');
  const env = { ...process.env, PM2_HOME: home, PM2_DISABLE_VERSION_CHECK: 'true', PM2_API_IPC_PORT: '', NO_COLOR: '1' };
  const cli = (args) => run(process.execPath, [PM2_BIN, ...args], { env, cwd: work });
  const seen = new Set();
  const engine = {
    name: 'pm2',
    work,
    cli,
    env,
    startByName: (name) => cli(['start', name]),
    listArgs: ['jlist'],
    async startFile(services) {
      const file = join(work, `ecosystem-${Date.now()}.json`);
      const apps = services.map((s) => ({
        name: s.name, script: s.script, args: s.args ?? [], env: { ...(s.env ?? {}), ...(s.port ? { PORT: String(s.port) } : {}) },
        autorestart: true, ...(s.pm2 ?? {}), ...(s.instances > 1 ? { instances: s.instances, exec_mode: 'cluster' } : {}),
      }));
      writeFileSync(file, JSON.stringify({ apps }));
      const result = await cli(['start', file]);
      if (result.code !== 0) throw new Error(`pm2 start failed: ${result.stderr}`);
    },
    async list() {
      const result = await cli(['jlist']);
      // pm2 may print "[PM2] Spawning PM2 daemon..." before the JSON array.
      const apps = JSON.parse(result.stdout.slice(result.stdout.search(/^\[(\{|\])/m)));
      const byName = new Map();
      for (const app of apps) {
        const row = byName.get(app.name) ?? { name: app.name, port: Number(app.pm2_env?.env?.PORT ?? app.pm2_env?.PORT) || null, pids: [], restarts: 0, status: app.pm2_env?.status };
        if (app.pid) row.pids.push(app.pid);
        row.restarts += app.pm2_env?.restart_time ?? 0;
        byName.set(app.name, row);
      }
      const rows = [...byName.values()];
      for (const row of rows) for (const pid of row.pids) seen.add(pid);
      return rows;
    },
    ...engineLifecycle({ cli, work, seen, pidFile: join(home, 'pm2.pid') }),
    errFile: (name) => join(home, 'logs', `${name}-error.log`),
    logFile: (name) => join(home, 'logs', `${name}-out.log`),
  };
  return engine;
}

import { describe, expect, it } from 'vitest';
import { appFromDumpRecord } from '../../src/config/pm2/dump.js';
import { mapPm2App, mapPm2Apps } from '../../src/config/pm2/map.js';

const options = { cpuCount: 4 };
function map(app: Record<string, unknown>, envProfile?: string) {
  const warnings: string[] = [];
  const service = mapPm2App(app, { ...options, envProfile }, (message) => warnings.push(message));
  return { service, warnings };
}

describe('pm2 field → services field', () => {
  it.each([
    [{ name: 'api' }, { name: 'api' }],
    [{ script: 'app.js' }, { script: 'app.js' }],
    [{ args: '--port 1' }, { args: '--port 1' }],
    [{ cwd: 'srv' }, { cwd: 'srv' }],
    [{ interpreter: 'python3' }, { interpreter: 'python3' }],
    [{ exec_interpreter: 'none' }, { interpreter: 'none' }],
    [{ interpreter_args: '--inspect' }, { interpreterArgs: '--inspect' }],
    [{ node_args: ['--max-old-space-size=512'] }, { interpreterArgs: ['--max-old-space-size=512'] }],
    [{ instances: 2 }, { instances: 2 }],
    [{ instances: 'max' }, { instances: 4 }],
    [{ instances: 0 }, { instances: 4 }],
    [{ instances: -1 }, { instances: 3 }],
    [{ max_memory_restart: '300M' }, { maxMemory: '300M' }],
    [{ autorestart: false }, { restart: 'never' }],
    [{ autorestart: true }, {}],
    [{ stop_exit_codes: [0] }, { restart: 'on-failure' }],
    [{ kill_timeout: 3000 }, { killTimeout: 3000 }],
    [{ max_restarts: 5 }, { maxRestarts: 5 }],
    [{ cron_restart: '0 3 * * *' }, { cronRestart: '0 3 * * *' }],
    [{ watch: true, ignore_watch: ['node_modules'] }, { watch: true, ignore: ['node_modules'] }],
    [{ exp_backoff_restart_delay: 100 }, { restartDelay: 100 }],
    [{ env: { NODE_ENV: 'production', PORT: '3000' } }, { env: { NODE_ENV: 'production' }, port: 3000 }],
    [{ env: { PORT: 8080 } }, { port: 8080 }],
    [{ exec_mode: 'fork' }, {}],
  ])('%j → %j, no warning', (app, expected) => {
    expect(map(app)).toEqual({ service: expected, warnings: [] });
  });

  it.each([
    [{ exec_mode: 'cluster' }, {}, /^exec_mode: apictl runs each instance as its own process on a private PORT behind its balancer/],
    [{ merge_logs: true }, {}, /^merge_logs: apictl always writes all instances of a service to one out and one err log/],
    [{ log_date_format: 'YYYY' }, {}, /^log_date_format: apictl stamps every line with an ISO 8601 time/],
    [{ out_file: '/var/log/a.log' }, {}, /^out_file: apictl writes logs to \$APICTL_HOME\/logs/],
    [{ min_uptime: 1000 }, {}, /^min_uptime: apictl counts a crash as quick when it comes within 30 s/],
    [{ wait_ready: true }, {}, /^wait_ready: apictl decides readiness itself/],
    [{ listen_timeout: 1000 }, {}, /^listen_timeout: apictl waits for ready/],
    [{ restart_delay: 500 }, { restartDelay: 500 }, /^restart_delay: apictl waits this long before the first restart after a quick crash, then doubles it/],
    [{ stop_exit_codes: [0, 2] }, { restart: 'on-failure' }, /^stop_exit_codes: .*; 2 will restart$/],
    [{ shiny_new_option: 1 }, {}, /^shiny_new_option: no apictl equivalent; left out$/],
    [{ env_production: { A: '1' } }, {}, /^env_production: not applied \(start or import with --env-profile production to apply it\)$/],
  ])('%j → %j, warns %s', (app, expected, warning) => {
    const { service, warnings } = map(app);
    expect(service).toEqual(expected);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(warning);
  });

  it('applies env_<profile> over env with --env-profile', () => {
    expect(map({ env: { A: '1', B: '1' }, env_production: { B: '2', PORT: 9000 } }, 'production')).toEqual({
      service: { env: { A: '1', B: '2' }, port: 9000 },
      warnings: [],
    });
    expect(map({ env: { A: '1' } }, 'staging').warnings).toEqual(['env_staging: not in this app (--env-profile staging)']);
  });

  it('names each app in its warnings', () => {
    expect(mapPm2Apps([{ name: 'a', script: 'a.js', merge_logs: true }, 'junk'], options)).toEqual({
      services: [{ name: 'a', script: 'a.js' }],
      warnings: [expect.stringMatching(/^apps\[0\] \(a\): merge_logs: /), 'apps[1]: not an object; left out'],
    });
  });
});

describe('dump.pm2 record → ecosystem app', () => {
  it('takes the script and cwd from their runtime names, drops runtime state and the shell pm2 captured', () => {
    const warnings: string[] = [];
    const record = {
      name: 'api', pm_exec_path: '/srv/api/app.js', pm_cwd: '/srv/api', pm_id: 0, status: 'online', restart_time: 3, instances: 1,
      env: { PATH: '/usr/bin', HOME: '/root', API_KEY: 'k', PM2_HOME: '/root/.pm2', unique_id: 'x' },
      PATH: '/usr/bin', HOME: '/root', API_KEY: 'k',
    };
    const app = appFromDumpRecord(record, { PATH: '/usr/bin', HOME: '/root' }, (message) => warnings.push(message));
    expect(app).toEqual({ name: 'api', script: '/srv/api/app.js', cwd: '/srv/api', instances: 1, env: { API_KEY: 'k' } });
    expect(warnings).toEqual(['env: left out variables pm2 captured from its shell that equal yours now: PATH, HOME']);
  });
});

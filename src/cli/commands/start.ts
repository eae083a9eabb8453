import { resolve } from 'node:path';
import { ApictlError } from '../../errors.js';
import type { StartResult } from '../../supervisor/supervisor.js';
import { LONG_CALL_MS, withDaemon } from '../session.js';
import { printResults, parseDurationOption, numberOrRaw, splitList } from '../results.js';

export interface StartOptions {
  name?: string;
  interpreter?: string;
  interpreterArgs?: string;
  port?: string | false;
  instances?: string;
  cwd?: string;
  env?: string[];
  envFile?: string;
  watch?: string | true;
  ignore?: string;
  maxMemory?: string;
  health?: string;
  restart?: string;
  killTimeout?: string;
  stopSignal?: string;
  wait: boolean;
  waitTimeout?: string;
  only?: string;
  json?: boolean;
}

export async function run(target: string, args: string[], options: StartOptions): Promise<void> {
  const cwd = process.cwd();
  const common = {
    cwd,
    wait: options.wait,
    timeoutMs: parseDurationOption('--wait-timeout', options.waitTimeout),
  };
  const params = target.toLowerCase().endsWith('.json')
    ? { ...common, file: resolve(cwd, target), only: options.only ? splitList(options.only) : undefined }
    : { ...common, service: serviceFromFlags(target, args, options) };
  if (options.only && !('file' in params)) throw new ApictlError('APICTL_USAGE', '--only works with a services file (.json)');
  const results = await withDaemon((client) => client.call<StartResult[]>('start', params, { timeoutMs: LONG_CALL_MS, waitingFor: 'to start' }));
  printResults(results, options.json ?? false);
}

/** The raw service as the user typed it; the daemon validates it like a services file entry. */
function serviceFromFlags(script: string, args: string[], options: StartOptions): Record<string, unknown> {
  const service: Record<string, unknown> = { script, args };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) service[key] = value;
  };
  set('name', options.name);
  set('interpreter', options.interpreter);
  set('interpreterArgs', options.interpreterArgs);
  set('port', options.port === false ? false : numberOrRaw(options.port));
  set('instances', numberOrRaw(options.instances));
  set('cwd', options.cwd);
  set('envFile', options.envFile);
  set('watch', options.watch === true ? true : options.watch ? splitList(options.watch) : undefined);
  set('ignore', options.ignore ? splitList(options.ignore) : undefined);
  set('maxMemory', numberOrRaw(options.maxMemory));
  set('health', options.health);
  set('restart', options.restart);
  set('killTimeout', numberOrRaw(options.killTimeout));
  set('stopSignal', options.stopSignal);
  if (options.env) {
    const env: Record<string, string> = {};
    for (const pair of options.env) {
      const equals = pair.indexOf('=');
      if (equals <= 0) throw new ApictlError('APICTL_USAGE', `--env ${pair}: expected KEY=VALUE`);
      env[pair.slice(0, equals)] = pair.slice(equals + 1);
    }
    service.env = env;
  }
  return service;
}

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ApictlError } from '../../errors.js';
import type { StartParams } from '../../protocol/methods.js';
import { LONG_CALL_MS, withDaemon } from '../session.js';
import { progressListener } from '../progress.js';
import { printResults, parseDurationOption, numberOrRaw, splitList } from '../results.js';
import { isServicesFileName } from '../../config/services-file-name.js';

export interface StartOptions {
  name?: string;
  interpreter?: string;
  interpreterArgs?: string;
  port?: string | false;
  instances?: string;
  cwd?: string;
  env?: string[];
  envFile?: string;
  envProfile?: string;
  watch?: string | true;
  ignore?: string;
  maxMemory?: string;
  maxMemoryRestart?: string;
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
  const onProgress = progressListener(options.json);
  const common = { cwd, wait: options.wait, timeoutMs: parseDurationOption('--wait-timeout', options.waitTimeout), progress: onProgress !== undefined };
  let params: StartParams;
  if (isServicesFileName(target)) {
    // Read here, not in the daemon: an ecosystem file is JavaScript, and the daemon runs no user code.
    const { readServicesFile } = await import('../../config/read-services-file.js');
    const file = await readServicesFile(target, { envProfile: options.envProfile });
    for (const warning of file.warnings) process.stderr.write(`apictl: warning: ${warning}\n`);
    params = { ...common, file: file.payload, only: options.only ? splitList(options.only) : undefined };
  } else {
    if (options.only) throw new ApictlError('APICTL_USAGE', '--only works with a services file (.json, .yaml, ecosystem.config.js)');
    if (options.envProfile) throw new ApictlError('APICTL_USAGE', '--env-profile works with a pm2 ecosystem file');
    params = { ...common, service: serviceFromFlags(target, args, options), byName: isBareName(target, args, options) };
  }
  const results = await withDaemon((client) => client.call('start', params, { onEvent: onProgress, timeoutMs: LONG_CALL_MS, waitingFor: 'to start' }));
  printResults(results, options.json ?? false);
}

/** A word that may name a registered service (`apictl start api`): no path, no such file here, no flag that defines a service. */
function isBareName(target: string, args: string[], options: StartOptions): boolean {
  if (args.length > 0 || target.includes('/') || existsSync(target)) return false;
  const defining = Object.entries(options).filter(([key, value]) => value !== undefined && !['wait', 'waitTimeout', 'json'].includes(key));
  return defining.length === 0;
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
  // -i max: one per core, as in pm2; -i 1-4: autoscaling between 1 and 4.
  set('instances', options.instances === 'max' ? availableParallelism() : instancesOption(options.instances));
  set('cwd', options.cwd);
  set('envFile', options.envFile);
  set('watch', options.watch === true ? true : options.watch ? splitList(options.watch) : undefined);
  set('ignore', options.ignore ? splitList(options.ignore) : undefined);
  set('maxMemory', numberOrRaw(options.maxMemory ?? options.maxMemoryRestart));
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

/** "3" → 3, "1-4" or "1..4" → {min: 1, max: 4}; anything else as typed, for validation to echo. */
export function instancesOption(value: string | undefined): number | string | { min: number; max: number } | undefined {
  const range = value === undefined ? null : /^(\d+)(?:-|\.\.)(\d+)$/.exec(value);
  return range ? { min: Number(range[1]), max: Number(range[2]) } : numberOrRaw(value);
}

import { LONG_CALL_MS, withDaemon } from '../session.js';
import { progressListener } from '../progress.js';
import { parseDurationOption, printResults } from '../results.js';

interface ControlOptions {
  json?: boolean;
  wait?: boolean;
  waitTimeout?: string;
}

function control(method: 'stop' | 'delete') {
  return async (target: string, options: ControlOptions): Promise<void> => {
    const results = await withDaemon((client) => client.call(method, { target }, { timeoutMs: LONG_CALL_MS, waitingFor: `to ${method} ${target}` }));
    if (results.length === 0 && !options.json) process.stdout.write('no services registered\n');
    printResults(results, options.json ?? false);
  };
}

/** restart and reload wait for ready, and report each service (reload: each instance) as it gets there. */
function controlWaiting(method: 'restart' | 'reload') {
  return async (target: string, options: ControlOptions): Promise<void> => {
    const onProgress = progressListener(options.json);
    const params = {
      target,
      wait: options.wait ?? true,
      timeoutMs: parseDurationOption('--wait-timeout', options.waitTimeout),
      progress: onProgress !== undefined,
    };
    const results = await withDaemon((client) => client.call(method, params, { onEvent: onProgress, timeoutMs: LONG_CALL_MS, waitingFor: `to ${method} ${target}` }));
    if (results.length === 0 && !options.json) process.stdout.write('no services registered\n');
    printResults(results, options.json ?? false);
  };
}

export const commands = {
  stop: control('stop'),
  restart: controlWaiting('restart'),
  reload: controlWaiting('reload'),
  delete: control('delete'),
};

import type { StartResult } from '../../supervisor/supervisor.js';
import { LONG_CALL_MS, withDaemon } from '../session.js';
import { parseDurationOption, printResults } from '../results.js';

interface ControlOptions {
  json?: boolean;
  wait?: boolean;
  waitTimeout?: string;
}

function control(method: 'stop' | 'restart' | 'reload' | 'delete') {
  return async (target: string, options: ControlOptions): Promise<void> => {
    const params = { target, wait: options.wait ?? true, timeoutMs: parseDurationOption('--wait-timeout', options.waitTimeout) };
    const results = await withDaemon((client) => client.call<StartResult[]>(method, params, { timeoutMs: LONG_CALL_MS, waitingFor: `to ${method} ${target}` }));
    if (results.length === 0 && !options.json) process.stdout.write('no services registered\n');
    printResults(results, options.json ?? false);
  };
}

export const commands = {
  stop: control('stop'),
  restart: control('restart'),
  reload: control('reload'),
  delete: control('delete'),
};

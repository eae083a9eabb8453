import { ApictlError } from '../../errors.js';
import { formatScale } from '../../format.js';
import { paint } from '../output.js';
import { parseDurationOption } from '../results.js';
import { LONG_CALL_MS, withDaemon } from '../session.js';

interface ScaleOptions {
  json?: boolean;
  wait?: boolean;
  waitTimeout?: string;
}

/** "3" → 3, "auto" → "auto"; anything else is a usage error. */
export function parseScaleCount(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  if (/^\d+$/.test(value)) return Number(value);
  throw new ApictlError('APICTL_USAGE', `scale: expected a number of instances or "auto", got "${value}"`, { hint: 'apictl scale api 3, or apictl scale api auto' });
}

export async function run(name: string, countText: string, options: ScaleOptions): Promise<void> {
  const count = parseScaleCount(countText);
  const params = { target: name, count, wait: options.wait ?? true, timeoutMs: parseDurationOption('--wait-timeout', options.waitTimeout) };
  const result = await withDaemon((client) => client.call('scale', params, { timeoutMs: LONG_CALL_MS, waitingFor: `to scale ${name}` }));
  const scale = result.snapshot.autoscale;
  if (!result.reached) {
    throw new ApictlError('APICTL_SCALE_INCOMPLETE', `${name}: ${count === 'auto' ? 'back to its defined count' : `pinned at ${count}`}, but ${result.reason}`, {
      hint: `the pin stays and apictl keeps stepping toward it; \`apictl show ${name}\` says where it is, \`apictl scale ${name} auto\` undoes it`,
    });
  }
  if (options.json) {
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  const now = scale ? formatScale(scale) : '';
  const line = count === 'auto' ? `${scale?.mode === 'fixed' ? 'back to its defined count' : 'following the load again'}: ${now}` : `${now}; \`apictl scale ${name} auto\` undoes it`;
  process.stdout.write(`${paint('bold', name)}: ${line}\n`);
}

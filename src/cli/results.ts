import { ApictlError } from '../errors.js';
import { DURATION_RULE, parseDurationMs } from '../config/units.js';
import type { StartResult } from '../protocol/methods.js';
import { paint, paintStatus } from './output.js';

export function splitList(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter(Boolean);
}

/** "8080" → 8080; anything else is passed on as typed, so validation can echo it. */
export function numberOrRaw(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** A duration flag, by the one rule of config/units.ts: "5" is 5 ms, "5s" five seconds. */
export function parseDurationOption(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDurationMs(value);
  if (ms === null) throw new ApictlError('APICTL_USAGE', `${flag}: expected a duration, got "${value}"`, { hint: DURATION_RULE });
  return ms;
}

const VERBS: Record<StartResult['action'], string> = {
  started: 'started',
  restarted: 'restarted',
  reloaded: 'reloaded',
  stopped: 'stopped',
  deleted: 'deleted',
  'already-running': 'already running with this definition; nothing to do',
};

/** One line per service; a failure becomes the command's error (exit 1) with the service's last lines. */
export function printResults(results: StartResult[], json: boolean): void {
  const failed = results.filter((result) => !result.ok);
  if (json) {
    process.stdout.write(JSON.stringify(results) + '\n');
  } else {
    for (const result of results.filter((item) => item.ok)) {
      const snapshot = result.snapshot;
      const where = snapshot
        ? [
            paintStatus(snapshot.status),
            snapshot.port !== null ? `port ${snapshot.port}` : 'no port',
            snapshot.autoscale && snapshot.autoscale.mode !== 'fixed'
              ? `${snapshot.autoscale.current} instance${snapshot.autoscale.current === 1 ? '' : 's'}, ${snapshot.autoscale.min}..${snapshot.autoscale.max} by load`
              : snapshot.instances.length > 1 ? `${snapshot.instances.length} instances` : snapshot.instances[0]?.pid ? `pid ${snapshot.instances[0].pid}` : null,
          ].filter(Boolean).join(', ')
        : '';
      process.stdout.write(`${paint('bold', result.name)}: ${VERBS[result.action]}${where ? ` (${where})` : ''}\n`);
    }
  }
  if (failed.length === 0) return;
  const first = failed[0]!;
  throw new ApictlError(
    'APICTL_START_FAILED',
    failed.length === 1
      ? `${first.name} did not become ready: ${first.reason}`
      : `${failed.length} services did not become ready: ${failed.map((item) => `${item.name} (${item.reason})`).join('; ')}`,
    {
      details: { lastLines: first.lastLines },
      hint: `it stays registered and restarts per its policy: \`apictl logs ${first.name}\` to watch, \`apictl delete ${first.name}\` to remove`,
    },
  );
}

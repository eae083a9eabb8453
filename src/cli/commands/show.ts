import type { RequestFigures, ServiceSnapshot } from '../../protocol/methods.js';
import { formatBytes, formatDuration, formatLastDecision, formatPercent, formatScale } from '../../format.js';
import { paint, useColour } from '../output.js';
import { withDaemon } from '../session.js';
import { describeStall, renderList } from './list.js';

export async function run(name: string, options: { json?: boolean }): Promise<void> {
  const result = await withDaemon((client) => client.call('show', { target: name }));
  if (options.json) {
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  const colour = useColour();
  const { snapshot } = result;
  const definition = snapshot.definition;
  const fields: Array<[string, unknown]> = [
    ['script', definition.script],
    ['interpreter', snapshot.interpreter],
    ['args', definition.args.join(' ') || '-'],
    ['cwd', definition.cwd],
    ['port', definition.port ?? 'none'],
    ['instances', definition.autoscale ? `{min: ${definition.autoscale.min}, max: ${definition.autoscale.max}} (autoscaled)` : definition.instances],
    ['restart', `${definition.restart} (give up after ${definition.maxRestarts} quick crashes)`],
    ['stop', `${definition.stopSignal ?? 'default signal'}, SIGKILL after ${definition.killTimeoutMs} ms`],
    ['health', definition.health ? `GET ${definition.health.path} every ${definition.health.intervalMs} ms` : '-'],
    ['max memory', definition.maxMemoryBytes ? formatBytes(definition.maxMemoryBytes) : '-'],
    ['env', Object.keys(definition.env).join(', ') || '-'],
    ['env file', definition.envFile ?? '-'],
    ['watch', definition.watch?.join(', ') ?? '-'],
  ];
  const lines = [paint('bold', `${snapshot.name} (${snapshot.status})`, colour)];
  if (snapshot.reason) lines.push(`reason: ${snapshot.reason}`);
  if (snapshot.logs?.stalled) lines.push(paint('yellow', describeStall(snapshot.logs.stalled), colour));
  if (snapshot.watchError) lines.push(paint('yellow', snapshot.watchError, colour));
  for (const instance of snapshot.instances) {
    if (instance.adopted) lines.push(`instance ${instance.index}: adopted from a previous daemon (if it exits, its exit status will be unknown)`);
    if (instance.lastExit?.unknown) lines.push(`instance ${instance.index}: its last process ended while no daemon was its parent (exit status unknown)`);
  }
  for (const [key, value] of [...fields, ...scaleFields(snapshot)]) lines.push(`${key.padEnd(12)} ${String(value)}`);
  lines.push('', renderList([snapshot], colour));
  if (snapshot.requests) lines.push('', ...renderRequests(snapshot));
  for (const [index, samples] of Object.entries(result.history)) {
    if (samples.length === 0) continue;
    const cpu = samples.map((sample) => sample.cpu);
    const memory = samples.map((sample) => sample.memory);
    lines.push(
      `history [${index}] last ${samples.length}s: cpu avg ${formatPercent(average(cpu))} max ${formatPercent(Math.max(...cpu))}, ` +
        `memory avg ${formatBytes(average(memory))} max ${formatBytes(Math.max(...memory))}`,
    );
  }
  if (result.recent.length > 0) {
    lines.push('', 'recent log lines:');
    for (const line of result.recent) lines.push(`  ${new Date(line.time).toISOString()} ${line.stream} | ${line.line}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

/** The requests apictl proxied: the service, each instance, each route. */
function renderRequests(snapshot: ServiceSnapshot): string[] {
  const requests = snapshot.requests!;
  const row = (label: string, figures: RequestFigures) => `  ${label.padEnd(11)} ${describeRequests(figures)}`;
  const lines = ['requests (through apictl; latency over the last minute):', row('all', requests)];
  for (const instance of snapshot.instances) if (instance.requests) lines.push(row(`[${instance.index}]`, instance.requests));
  for (const [route, figures] of Object.entries(requests.byRoute)) lines.push(row(`route ${route}`, figures));
  return lines;
}

function describeRequests(figures: RequestFigures): string {
  const ms = (value: number | null) => (value === null ? '-' : `${value} ms`);
  const classes = Object.entries(figures.byClass).filter(([, count]) => count > 0).map(([name, count]) => `${name} ${count}`).join(', ');
  return `${figures.total} total (${classes || 'none yet'}), ${figures.inflight} in flight, ${figures.perSecond} req/s, p50 ${ms(figures.p50Ms)}, p95 ${ms(figures.p95Ms)}, p99 ${ms(figures.p99Ms)}`;
}

/** The count now and the rule behind it, the last decision, cold starts. */
function scaleFields(snapshot: ServiceSnapshot): Array<[string, string]> {
  const scale = snapshot.autoscale;
  const autoscale = snapshot.definition.autoscale;
  if (!scale) return [];
  const fields: Array<[string, string]> = [['scale', `${formatScale(scale)}, ${scale.inflight} in flight`]];
  if (autoscale) {
    fields.push([
      'scale rule',
      `up above ${scale.threshold} in flight per instance (loadFactor ${autoscale.loadFactor} × maxConnsPerInstance ${autoscale.maxConnsPerInstance}), ` +
        `down after ${formatDuration(autoscale.idleTimeoutMs)} idle, cold start within ${formatDuration(autoscale.coldStartTimeoutMs)}`,
    ]);
  }
  fields.push(['last scale', formatLastDecision(scale, Date.now()) ?? '-']);
  const cold = scale.coldStarts;
  if (autoscale?.min === 0 || cold.count > 0) {
    const average = cold.count > 0 ? `, last ${cold.lastMs} ms, average ${Math.round(cold.totalMs / cold.count)} ms` : '';
    fields.push(['cold starts', `${cold.count}${average}${cold.timeouts > 0 ? `, ${cold.timeouts} request(s) timed out waiting` : ''}`]);
  }
  return fields;
}

function average(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
}

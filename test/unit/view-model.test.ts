import { describe, expect, it } from 'vitest';
import {
  buildRows, clampSelection, columnsFor, filterLines, formatHeader, formatLatency, formatRate, formatRow, formatScaleLine, hasTraffic, sparkline, summarize,
} from '../../src/tui/view-model.js';
import type { ServiceSnapshot } from '../../src/types.js';

const instance = (index: number, over: Partial<ServiceSnapshot['instances'][number]> = {}) => ({
  index, pid: 100 + index, port: 9000 + index, status: 'online' as const, restarts: 0, cpu: 1.5, memory: 50 * 1024 * 1024,
  uptime: 65_000, lastExit: null, reason: null, ...over,
});
const service = (name: string, instances: ServiceSnapshot['instances'], status: ServiceSnapshot['status'] = 'online'): ServiceSnapshot => ({
  name, status, port: 9000, script: '/x.js', interpreter: 'node', restarts: 0, reason: null, instances, definition: {} as never,
});

describe('monit view-model', () => {
  it('gives a service whose count can move a scale line: count, min..max, mode, last decision, cut to the width', () => {
    const autoscale = {
      mode: 'auto' as const, current: 2, ready: 1, min: 1, max: 4, pinned: null, inflight: 14, threshold: 10,
      lastDecision: { atMs: 1_000, action: 'up' as const, count: 2, reason: 'scaled up to 2: 14 in flight over 1 instance > 0.5 × 20' },
      coldStarts: { count: 0, totalMs: 0, lastMs: null, timeouts: 0 }, steps: { up: 1, down: 0 },
    };
    const api = { ...service('api', []), autoscale };
    expect(formatScaleLine(api, 13_000, 200)).toBe(' scale 2 instances, 1 ready (1..4, auto) · 12s ago: scaled up to 2: 14 in flight over 1 instance > 0.5 × 20');
    expect(formatScaleLine(api, 13_000, 40)).toBe(' scale 2 instances, 1 ready (1..4, auto…');
    expect(formatScaleLine({ ...api, autoscale: { ...autoscale, mode: 'pinned', pinned: 4, threshold: null, min: 2, max: 2, lastDecision: null } }, 0, 80)).toBe(' scale 2 instances, 1 ready (pinned at 4, defined 2)');
    expect(formatScaleLine({ ...api, autoscale: { ...autoscale, mode: 'fixed', threshold: null } }, 0, 80)).toBeNull();
    expect(formatScaleLine(service('plain', []), 0, 80)).toBeNull();
    expect(formatScaleLine(undefined, 0, 80)).toBeNull();
  });

  it('makes one row per instance, naming instances only when there are several', () => {
    const rows = buildRows([service('api', [instance(0)]), service('pool', [instance(0), instance(1, { pid: null, status: 'waiting', restarts: 3 })], 'waiting')]);
    expect(rows.map((row) => row.cells)).toEqual([
      ['api', 'online', '100', '9000', '1.5%', '50.0 MB', '0', '1m 5s'],
      ['pool:0', 'online', '100', '9000', '1.5%', '50.0 MB', '0', '1m 5s'],
      ['pool:1', 'waiting', '-', '9001', '-', '-', '3', '-'],
    ]);
  });

  it('fits rows to the width, truncating long names with an ellipsis', () => {
    const narrow = formatRow(['a-very-long-service-name-indeed', 'online', '1', '2', '3%', '4 MB', '0', '1s'], 80);
    expect(narrow.length).toBeLessThanOrEqual(80);
    expect(narrow.startsWith('a-very-long-service…')).toBe(true);
    expect(formatRow(['x', 'online', '1', '2', '3%', '4 MB', '0', '1s'], 120).length).toBeGreaterThan(narrow.length);
  });

  it('adds req/s and p95 cells when a service has request figures, "-" for the others', () => {
    const figures = { total: 3, inflight: 0, byClass: { '1xx': 0, '2xx': 3, '3xx': 0, '4xx': 0, '5xx': 0 }, perSecond: 2.5, p50Ms: 1, p95Ms: 12.4, p99Ms: 20 };
    const pool = { ...service('pool', [instance(0, { requests: figures })]), requests: { ...figures, byRoute: {} } };
    const services = [pool, service('api', [instance(0)])];
    expect(hasTraffic(services)).toBe(true);
    expect(hasTraffic([service('api', [instance(0)])])).toBe(false);
    expect(buildRows(services).map((row) => row.cells.slice(-2))).toEqual([['2.5', '12ms'], ['-', '-']]);
    const row = formatRow(buildRows(services)[0]!.cells, 80);
    expect(row.length).toBeLessThanOrEqual(80);
    expect(formatRow(columnsFor(true), 80).length).toBeLessThanOrEqual(80);
    expect(formatRow(['a-long-service-name:1', ...Array(9).fill('x')], 80).indexOf(' ')).toBe(13);
  });

  it.each([[0, '0.0'], [2.54, '2.5'], [340.4, '340'], [12_345, '12.3k']])('rate %s → %s', (value, text) => expect(formatRate(value)).toBe(text));
  it.each([[null, '-'], [4.21, '4.2ms'], [180.4, '180ms'], [1_500, '1.5s']])('latency %s → %s', (value, text) => expect(formatLatency(value)).toBe(text));

  it('keeps the selection in range', () => {
    expect([clampSelection(-1, 3), clampSelection(5, 3), clampSelection(1, 3), clampSelection(2, 0)]).toEqual([0, 2, 1, 0]);
  });

  it('sums services by status and totals CPU and memory in the header', () => {
    const services = [service('a', [instance(0)]), service('b', [instance(0, { cpu: 2 })]), service('c', [], 'errored')];
    expect(summarize(services)).toEqual({ counts: { online: 2, errored: 1 }, cpu: 3.5, memory: 100 * 1024 * 1024 });
    expect(formatHeader(services, { pid: 42, uptimeMs: 3_600_000 }, true)).toBe(
      'apictl monit  |  daemon 42 up 1h  |  2 online, 1 errored  |  cpu 3.5%  |  mem 100 MB',
    );
    expect(formatHeader(services, null, false)).toMatch(/daemon not reachable/);
  });

  it('draws sparklines scaled to a maximum', () => {
    expect(sparkline([0, 50, 100], 10, 100)).toBe('▁▅█');
    expect(sparkline([1, 2, 3, 4, 5], 3)).toBe('▅▇█');
  });

  it('filters log lines by service and stream', () => {
    const line = (service: string, stream: 'out' | 'err') => ({ time: 1, service, instance: 0, stream, line: `${service} ${stream}` });
    expect(filterLines([line('a', 'out'), line('a', 'err'), line('b', 'out')], 'a', 'err')).toEqual([line('a', 'err')]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { PassThrough, Writable } from 'node:stream';
import { Dashboard, type DashboardActions } from '../../src/tui/dashboard.js';
import type { ServiceSnapshot } from '../../src/types.js';
import { waitFor } from '../helpers/wait.js';

/** A terminal that is not one: blessed draws into it, the test reads screenshots. */
function fakeTerminal(columns: number, rows: number) {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
  const output = Object.assign(new Writable({ write: (_chunk, _encoding, done) => done() }), { isTTY: true, columns, rows });
  return { input, output };
}

const snapshot = (name: string, pids: number[], restarts = 0): ServiceSnapshot => ({
  name, status: 'online', port: 9000, script: '/x.js', interpreter: 'node', restarts, reason: null, definition: {} as never,
  instances: pids.map((pid, index) => ({ index, pid, port: 9000 + index, status: 'online', restarts, cpu: 2, memory: 30 << 20, uptime: 5_000, lastExit: null, reason: null })),
});

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
let dashboard: Dashboard | null = null;
afterEach(() => dashboard?.destroy());

function text(board: Dashboard): string[] {
  const lines = board.screen.screenshot().replace(ANSI, '').split('\n');
  return lines.at(-1) === '' ? lines.slice(0, -1) : lines;
}

describe('monit screen (blessed on fake streams)', () => {
  const calls: string[] = [];
  const actions: DashboardActions = {
    restart: async (service) => void calls.push(`restart ${service}`),
    toggle: async (service, status) => void calls.push(`toggle ${service} ${status}`),
    recent: async (service) => [{ time: Date.parse('2026-11-21T10:00:00.000Z'), service, instance: 0, stream: 'out', line: `history of ${service}` }],
    quit: () => void calls.push('quit'),
  };

  it('draws the header, one row per instance and the selected service history and logs at 80x24', async () => {
    const terminal = fakeTerminal(80, 24);
    dashboard = new Dashboard(actions, terminal);
    dashboard.update([snapshot('api', [101]), snapshot('pool', [201, 202], 1)], { pid: 7, uptimeMs: 60_000 }, true);
    const screen = await waitFor('history line', () => text(dashboard!), (lines) => lines.some((line) => line.includes('history of api')));
    expect(screen).toHaveLength(24);
    expect(screen[0]).toMatch(/^apictl monit {2}\| {2}daemon 7 up 1m {2}\| {2}2 online/);
    expect(screen[1]).toMatch(/^name\s+status\s+pid\s+port\s+cpu\s+memory/);
    expect(screen[2]).toMatch(/^api\s+online\s+101\s+9000\s+2\.0%\s+30\.0 MB\s+0/);
    expect(screen[3]).toMatch(/^pool:0\s+online\s+201/);
    expect(screen[4]).toMatch(/^pool:1\s+online\s+202\s+9001/);
    expect(screen.some((line) => /^ cpu\s+2\.0%/.test(line))).toBe(true);
    expect(screen.some((line) => line.startsWith(' logs: api (stdout)'))).toBe(true);
    expect(screen[23]).toMatch(/j\/k select.*q quit/);
    for (const line of screen) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('shows req/s and p95 columns and the req/s history when traffic goes through apictl, still within 80x24', async () => {
    const figures = (perSecond: number, p95Ms: number | null) => ({ total: 10, inflight: 0, byClass: { '1xx': 0, '2xx': 10, '3xx': 0, '4xx': 0, '5xx': 0 }, perSecond, p50Ms: 1, p95Ms, p99Ms: p95Ms });
    const balanced = snapshot('pool', [201, 202]);
    balanced.requests = { ...figures(12.5, 180), byRoute: {} };
    balanced.instances[0]!.requests = figures(7.5, 4.2);
    balanced.instances[1]!.requests = figures(5, 1500);
    dashboard = new Dashboard(actions, fakeTerminal(80, 24));
    dashboard.update([balanced, snapshot('single', [301])], { pid: 7, uptimeMs: 1_000 }, true);
    const screen = (await waitFor('req/s history', () => text(dashboard!), (lines) => lines.some((line) => line.startsWith(' req/s')))).map((line) => line.trimEnd());
    expect(screen[1]).toMatch(/^name\s+status\s+pid\s+port\s+cpu\s+memory\s+↺\s+uptime\s+req\/s\s+p95$/);
    expect(screen[2]).toMatch(/^pool:0\s+online\s+201\s+.*\s7\.5\s+4\.2ms$/);
    expect(screen[3]).toMatch(/\s5\.0\s+1\.5s$/);
    expect(screen[4]).toMatch(/^single\s+online\s+301\s+.*\s-\s+-$/);
    expect(screen.find((line) => line.startsWith(' req/s'))).toMatch(/^ req\/s\s+13\s+█$/);
    expect(screen).toHaveLength(24);
    for (const line of screen) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('shows the selected autoscaled service its count, min..max and last scaling decision, still within 80x24', async () => {
    const scaled = snapshot('api', [101, 102]);
    scaled.autoscale = {
      mode: 'auto', current: 2, ready: 2, min: 1, max: 4, pinned: null, inflight: 14, threshold: 10,
      lastDecision: { atMs: Date.now() - 12_000, action: 'up', count: 2, reason: 'scaled up to 2: 14 in flight over 1 instance > 0.5 × 20' },
      coldStarts: { count: 0, totalMs: 0, lastMs: null, timeouts: 0 }, steps: { up: 1, down: 0 },
    };
    dashboard = new Dashboard(actions, fakeTerminal(80, 24));
    dashboard.update([scaled, snapshot('single', [301])], { pid: 7, uptimeMs: 1_000 }, true);
    const screen = await waitFor('scale line', () => text(dashboard!), (lines) => lines.some((line) => line.startsWith(' scale')));
    expect(screen.find((line) => line.startsWith(' scale'))).toMatch(/^ scale 2 instances \(1\.\.4, auto\) · 1[23]s ago: scaled up to 2: 14 in flight over 1 …$/);
    expect(screen).toHaveLength(24);
    for (const line of screen) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('moves the selection with keys, acts on the selected service, and quits', async () => {
    const terminal = fakeTerminal(80, 24);
    dashboard = new Dashboard(actions, terminal);
    dashboard.update([snapshot('api', [101]), snapshot('pool', [201, 202])], { pid: 7, uptimeMs: 1_000 }, true);
    terminal.input.write('j');
    await waitFor('selection on pool', () => dashboard!.selectedRow()?.service, (service) => service === 'pool');
    terminal.input.write('\u001b[B'); // arrow down
    await waitFor('selection on pool:1', () => dashboard!.selectedRow()?.instance, (index) => index === 1);
    await waitFor('pool logs shown', () => text(dashboard!), (lines) => lines.some((line) => line.startsWith(' logs: pool')));
    terminal.input.write('r');
    terminal.input.write('s');
    terminal.input.write('k');
    terminal.input.write('q');
    await waitFor('actions', () => calls.join(','), (seen) => seen.includes('quit'));
    expect(calls).toEqual(['restart pool', 'toggle pool online', 'quit']);
    expect(dashboard.selectedRow()).toMatchObject({ service: 'pool', instance: 0 });
  });

  it('re-lays out on resize to 120x40', async () => {
    const terminal = fakeTerminal(80, 24);
    dashboard = new Dashboard(actions, terminal);
    dashboard.update([snapshot('a-service-with-a-rather-long-name', [1])], { pid: 7, uptimeMs: 1_000 }, true);
    expect(text(dashboard)[2]).toContain('a-service-with-a-ra');
    expect(text(dashboard)[2]).not.toContain('a-service-with-a-rather-long-name');
    Object.assign(terminal.output, { columns: 120, rows: 40 });
    terminal.output.emit('resize');
    const screen = await waitFor('40 rows', () => text(dashboard!), (lines) => lines.length === 40);
    expect(screen[2]).toContain('a-service-with-a-rather-long-name');
    expect(screen[39]).toMatch(/q quit/);
  });

  it('says when the daemon is gone', () => {
    dashboard = new Dashboard(actions, fakeTerminal(80, 24));
    dashboard.update([], null, false);
    expect(text(dashboard)[0]).toMatch(/daemon not reachable: retrying/);
  });
});

import { ApictlError } from '../errors.js';
import { diskProbe } from '../config/file-probe.js';
import { withChecks } from './checks-loader.js';
import type { LogLine } from '../logs/log-line.js';
import { PROTOCOL_VERSION } from '../protocol/messages.js';
import { VERSION } from '../version.js';
import type { MethodName, ParamsOf, ResultOf, ShowResult, WaitParams } from '../protocol/methods.js';
import type { HomePaths } from '../state/paths.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { streamProgress } from './progress-feed.js';
import type { CallContext, Handler } from './server.js';
import { renderPrometheus } from '../metrics/prometheus.js';

export const DEFAULT_READY_TIMEOUT_MS = 30_000;
/** `apictl scale` waits this long for the count by default: instances start one after another. */
export const DEFAULT_SCALE_TIMEOUT_MS = 60_000;

interface HandlerDeps {
  supervisor: Supervisor;
  paths: HomePaths;
  startedAt: number;
  shutdown: () => void;
  /** Hands the services over to a fresh daemon of the installed build; null when nothing would start one. */
  update: (() => void) | null;
}

/** Every method of the wire contract, with its params and result as src/protocol/methods.ts declares them. */
type Handlers = { [M in MethodName]: (params: ParamsOf<M>, call: CallContext) => Promise<ResultOf<M>> };

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const timeoutOf = (params: WaitParams): number | null =>
  params.wait === false ? null : typeof params.timeoutMs === 'number' ? params.timeoutMs : DEFAULT_READY_TIMEOUT_MS;

function target(params: { target?: unknown }): string {
  const name = text(params.target);
  if (!name) throw new ApictlError('APICTL_USAGE', 'a service name (or "all") is required');
  return name;
}

export function createHandlers({ supervisor, paths, startedAt, shutdown, update }: HandlerDeps): Record<string, Handler> {
  const withProgress = <T>(params: WaitParams, call: CallContext, names: () => string[], mode: 'service' | 'instance', work: () => Promise<T>) =>
    params.progress ? streamProgress(supervisor, call, names, mode, work) : work();
  const namesOf = (name: string) => () => (name === 'all' ? supervisor.names() : [name]);

  const handlers: Handlers = {
    ping: async () => ({ pong: true, pid: process.pid, protocol: PROTOCOL_VERSION, version: VERSION, uptimeMs: Date.now() - startedAt, home: paths.home }),

    start: async (params, call) => {
      const name = 'service' in params && params.byName ? String(params.service.script) : null;
      if (name !== null && (name === 'all' || supervisor.names().includes(name))) {
        return withProgress(params, call, namesOf(name), 'service', () => supervisor.startStopped(name, timeoutOf(params)));
      }
      // Validation (zod, the schema) is loaded for the start, not with the daemon, and let go after.
      const { drafts, routes } = await withChecks((checks) => checks.loadDrafts(params, diskProbe));
      // Routes are checked before anything starts: an invalid file starts nothing.
      if (routes) await supervisor.checkRoutes(routes);
      const names = () => drafts.map((draft) => draft.name);
      const results = await withProgress(params, call, names, 'service', () => supervisor.start(drafts, timeoutOf(params)));
      if (routes) await supervisor.addRoutes(routes);
      return results;
    },
    stop: async (params) => supervisor.stop(target(params)),
    restart: async (params, call) =>
      withProgress(params, call, namesOf(target(params)), 'service', () => supervisor.restart(target(params), timeoutOf(params))),
    reload: async (params, call) =>
      withProgress(params, call, namesOf(target(params)), 'instance', () => supervisor.reload(target(params), timeoutOf(params) ?? DEFAULT_READY_TIMEOUT_MS)),
    delete: async (params) => supervisor.delete(target(params)),
    scale: async (params) => {
      const count = params.count === 'auto' || (typeof params.count === 'number' && Number.isInteger(params.count)) ? params.count : null;
      if (count === null) throw new ApictlError('APICTL_USAGE', 'scale takes a whole number of instances or "auto"');
      if (target(params) === 'all') throw new ApictlError('APICTL_USAGE', 'scale takes one service name, not "all"', { hint: 'apictl scale <name> <N|auto>' });
      return supervisor.scale(target(params), count, params.wait === false ? null : typeof params.timeoutMs === 'number' ? params.timeoutMs : DEFAULT_SCALE_TIMEOUT_MS);
    },
    list: async () => supervisor.list(),
    routes: async () => supervisor.routeTables(),
    // The supervisor keeps history as metric samples; the wire names their shape.
    show: async (params) => (await supervisor.show(target(params))) as ShowResult,
    flush: async (params) => ({ flushed: supervisor.flush(text(params.target)) }),

    save: async () => {
      const { writeDump } = await import('../state/dump.js');
      const definitions = supervisor.definitions();
      await writeDump(paths.dump, definitions, supervisor.routeTables());
      return { path: paths.dump, saved: definitions.map((definition) => definition.name) };
    },
    resurrect: async (params, call) => {
      const { services: definitions, routes, issues } = await withChecks((checks) => checks.readDump(paths.dump));
      const running = new Set(supervisor.names());
      const missing = definitions.filter((definition) => !running.has(definition.name));
      const names = () => missing.map((definition) => definition.name);
      const started = missing.length > 0 ? await withProgress(params, call, names, 'service', () => supervisor.start(missing, timeoutOf(params))) : [];
      for (const table of routes) await supervisor.addRoutes(table);
      return { started, skipped: definitions.filter((definition) => running.has(definition.name)).map((d) => d.name), issues };
    },

    /** Streams log lines as they are written, until the caller disconnects. */
    logs: async (params, call) => {
      const name = text(params.target);
      const stream = text(params.stream);
      if (name) supervisor.assertKnown(name); // an unknown name fails now, not by silence
      const forward = (line: LogLine) => {
        if ((name && line.service !== name) || (stream && line.stream !== stream)) return;
        if (!call.emit('line', line)) supervisor.events.off('log', forward);
      };
      supervisor.events.on('log', forward);
      await call.closed;
      supervisor.events.off('log', forward);
      return null;
    },

    /** Recent lines of one service (or all), for a dashboard's log pane. */
    recent: async (params) => supervisor.recentLogs(text(params.target), typeof params.limit === 'number' ? params.limit : 100),

    /**
     * One subscription feeds a dashboard: a snapshot after every metrics tick
     * or change (at most 4 a second), and log lines in batches (at most 200
     * per 100 ms, so a flooding service cannot swamp the screen or the socket).
     */
    monitor: async (_params, call) => {
      let snapshotTimer: NodeJS.Timeout | null = null;
      let lastSnapshot = 0;
      const sendSnapshot = () => {
        snapshotTimer = null;
        lastSnapshot = Date.now();
        void supervisor.list().then((services) => call.emit('snapshot', { services, daemon: { pid: process.pid, uptimeMs: Date.now() - startedAt } }));
      };
      const scheduleSnapshot = () => {
        if (snapshotTimer) return;
        snapshotTimer = setTimeout(sendSnapshot, Math.max(0, 250 - (Date.now() - lastSnapshot)));
      };
      let batch: LogLine[] = [];
      let dropped = 0;
      const flushLines = () => {
        if (batch.length > 0 || dropped > 0) call.emit('lines', { lines: batch, dropped });
        batch = [];
        dropped = 0;
      };
      const onLine = (line: LogLine) => {
        if (batch.length < 200) batch.push(line);
        else dropped++;
      };
      const lineTimer = setInterval(flushLines, 100);
      supervisor.events.on('metrics', scheduleSnapshot);
      supervisor.events.on('change', scheduleSnapshot);
      supervisor.events.on('log', onLine);
      supervisor.metrics.hurry();
      sendSnapshot();
      await call.closed;
      clearInterval(lineTimer);
      if (snapshotTimer) clearTimeout(snapshotTimer);
      supervisor.events.off('metrics', scheduleSnapshot);
      supervisor.events.off('change', scheduleSnapshot);
      supervisor.events.off('log', onLine);
      return null;
    },

    /** Prometheus exposition text (`apictl metrics`; the metrics port serves the same). */
    metrics: async () => renderPrometheus(supervisor),

    heapCounts: async (params) => {
      const names = Array.isArray(params.names) ? params.names.filter((name): name is string => typeof name === 'string') : [];
      const { countHeapObjects } = await import('./heap-counts.js');
      return countHeapObjects(names);
    },
    kill: async () => {
      setImmediate(shutdown);
      return { pid: process.pid };
    },

    /** Replaces this daemon with the installed build; the services keep running (adopted by the new one). */
    update: async () => {
      if (!update) {
        throw new ApictlError('APICTL_NO_SUPERVISOR', `this daemon (pid ${process.pid}) runs in the foreground with nothing to start its successor`, {
          hint: 'restart `apictl daemon` yourself (the services keep running and are adopted), or let apictl start its daemon (any command) or use `apictl startup`',
        });
      }
      setImmediate(update);
      return { pid: process.pid };
    },
  };
  return handlers as unknown as Record<string, Handler>;
}

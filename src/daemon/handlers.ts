import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ApictlError } from '../errors.js';
import { diskProbe } from '../config/file-probe.js';
import { validateService, validateServicesFile, type ServiceDraft, type Validation } from '../config/validate.js';
import type { LogLine } from '../logs/log-line.js';
import type { RouteTable } from '../types.js';
import { PROTOCOL_VERSION } from '../protocol/messages.js';
import { readDump, writeDump } from '../state/dump.js';
import type { HomePaths } from '../state/paths.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { Handler } from './server.js';
import { renderPrometheus } from '../metrics/prometheus.js';

export const DEFAULT_READY_TIMEOUT_MS = 30_000;

interface HandlerDeps {
  supervisor: Supervisor;
  paths: HomePaths;
  startedAt: number;
  shutdown: () => void;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const timeoutOf = (params: Record<string, unknown>): number | null =>
  params.wait === false ? null : typeof params.timeoutMs === 'number' ? params.timeoutMs : DEFAULT_READY_TIMEOUT_MS;

function target(params: Record<string, unknown>): string {
  const name = text(params.target);
  if (!name) throw new ApictlError('APICTL_USAGE', 'a service name (or "all") is required');
  return name;
}

export function createHandlers({ supervisor, paths, startedAt, shutdown }: HandlerDeps): Record<string, Handler> {
  return {
    ping: async () => ({ pong: true, pid: process.pid, protocol: PROTOCOL_VERSION, uptimeMs: Date.now() - startedAt, home: paths.home }),

    start: async (params) => {
      const { drafts, routes } = await draftsFor(params);
      // Routes are checked before anything starts: an invalid file starts nothing.
      if (routes) await supervisor.checkRoutes(routes);
      const results = await supervisor.start(drafts, timeoutOf(params));
      if (routes) await supervisor.addRoutes(routes);
      return results;
    },
    stop: async (params) => supervisor.stop(target(params)),
    restart: async (params) => supervisor.restart(target(params), timeoutOf(params)),
    reload: async (params) => supervisor.reload(target(params), timeoutOf(params) ?? DEFAULT_READY_TIMEOUT_MS),
    delete: async (params) => supervisor.delete(target(params)),
    list: async (params) => (params.withRoutes ? { services: supervisor.list(), routes: supervisor.routeTables() } : supervisor.list()),
    show: async (params) => supervisor.show(target(params)),
    flush: async (params) => ({ flushed: await supervisor.flush(text(params.target)) }),

    save: async () => {
      const definitions = supervisor.definitions();
      await writeDump(paths.dump, definitions, supervisor.routeTables());
      return { path: paths.dump, saved: definitions.map((definition) => definition.name) };
    },
    resurrect: async (params) => {
      const { services: definitions, routes } = await readDump(paths.dump);
      const running = new Set(supervisor.names());
      const missing = definitions.filter((definition) => !running.has(definition.name));
      const started = missing.length > 0 ? await supervisor.start(missing, timeoutOf(params)) : [];
      for (const table of routes) await supervisor.addRoutes(table);
      return { started, skipped: definitions.filter((definition) => running.has(definition.name)).map((d) => d.name) };
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
        call.emit('snapshot', { services: supervisor.list(), daemon: { pid: process.pid, uptimeMs: Date.now() - startedAt } });
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

    kill: async () => {
      setImmediate(shutdown);
      return { pid: process.pid };
    },
  };
}

async function draftsFor(params: Record<string, unknown>): Promise<{ drafts: ServiceDraft[]; routes?: RouteTable }> {
  const cwd = text(params.cwd) ?? process.cwd();
  const file = text(params.file);
  let validation: Validation;
  if (file) {
    const raw = await readServicesFile(file);
    validation = validateServicesFile(raw, dirname(file), diskProbe);
  } else {
    validation = validateService(params.service, cwd, diskProbe);
  }
  if (!validation.ok) {
    const where = file ? `${file}: ` : '';
    throw new ApictlError(
      'APICTL_INVALID_CONFIG',
      validation.issues.length === 1 ? `${where}${validation.issues[0]}` : `${where}${validation.issues.length} problems; nothing was started`,
      { details: { issues: validation.issues }, hint: file ? 'fix the file and run the command again' : 'see `apictl start --help`' },
    );
  }
  const only = Array.isArray(params.only) ? (params.only as string[]) : null;
  if (!only) return { drafts: validation.drafts, routes: validation.routes };
  const known = new Set(validation.drafts.map((draft) => draft.name));
  const unknown = only.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new ApictlError('APICTL_USAGE', `--only: no service named ${unknown.map((n) => `"${n}"`).join(', ')} in ${file}`, {
      hint: `the file defines: ${[...known].join(', ')}`,
    });
  }
  // --only starts some services: the file's routes come along only with all of them.
  return { drafts: validation.drafts.filter((draft) => only.includes(draft.name)) };
}

async function readServicesFile(file: string): Promise<unknown> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    throw new ApictlError('APICTL_NO_FILE', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    return JSON.parse(content);
  } catch (error) {
    throw new ApictlError('APICTL_INVALID_CONFIG', `${file}: not valid JSON (${(error as Error).message})`, {
      hint: 'fix the file and run the command again',
    });
  }
}

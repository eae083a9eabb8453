import { rmSync } from 'node:fs';
import { writeFileAtomic } from '../state/atomic-write.js';
import { pino, multistream, type Logger } from 'pino';
import { acquireDaemonLock, type LockOutcome } from './lock.js';
import { EXIT_ALREADY_RUNNING, EXIT_CRASHED, EXIT_HANDED_OVER, EXIT_STOPPED } from './exit-codes.js';
import { releaseHeldPorts } from '../balancer/held-ports.js';
import { DaemonLog } from './daemon-log.js';
import { DaemonServer } from './server.js';
import { createHandlers } from './handlers.js';
import { daemonCollector } from './idle-collect.js';
import { prepareHome } from './home.js';
import { keeperNotifier } from './keeper-link.js';
import { recover } from './recover.js';
import { withChecks } from './checks-loader.js';
import { resolvePaths, type HomePaths } from '../state/paths.js';
import { parseSizeBytes } from '../config/units.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { tsxLoaderUrl } from '../process/tsx-loader.js';
import { SPAWN_MARKER, SUPERVISOR_MARKER, DEFINITION_MARKER } from '../process/supervised-marker.js';
import { serveMetricsIfAsked } from '../metrics/metrics-server.js';

export interface DaemonOptions {
  /** Foreground (systemd, `apictl daemon`): also log to stdout. */
  foreground: boolean;
  /** At boot: also start what dump.json lists (services recovered from state.json come first). */
  resurrect: boolean;
  home?: string;
  /** The lock, when the caller took it already (boot.ts: it held the ports first). */
  locked?: LockOutcome;
}

export { EXIT_ALREADY_RUNNING, EXIT_CRASHED, EXIT_HANDED_OVER, EXIT_REFUSED, EXIT_STOPPED } from './exit-codes.js';

/** How long a handover waits for requests under way before it lets go. */
const HANDOVER_SETTLE_MS = 10_000;
/** A shutdown may take the longest kill timeout plus this. */
const SHUTDOWN_MARGIN_MS = 30_000;

/** True if `work` settled within `ms`, false if the deadline came first. */
async function withDeadline(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([work.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  clearTimeout(timer);
  return outcome;
}

/** Runs the daemon until SIGTERM/SIGINT, `apictl kill` or `apictl update`; returns its exit code. */
export async function runDaemon(options: DaemonOptions): Promise<number> {
  const paths = resolvePaths(prepareHome(options.home));
  const locked = options.locked ?? (await acquireDaemonLock(paths.home, paths.socket));
  if (!('held' in locked)) {
    if (locked.taken === 'unknown') {
      process.stderr.write(`apictl: the lock of ${paths.home} is held, but no daemon answers on ${paths.socket}: another process (of another user?) holds apictl's lock name for this home\n`);
    } else if (options.foreground) {
      process.stderr.write(`apictl: a daemon is already running for ${paths.home}\n`);
    }
    return EXIT_ALREADY_RUNNING;
  }
  const lock = locked.held;
  const daemonLog = new DaemonLog(paths.daemonLog, parseSizeBytes(process.env.APICTL_DAEMON_LOG_MAX_SIZE) ?? undefined);
  const logger = createLogger(daemonLog, options.foreground);
  const keeper = keeperNotifier();
  const supervisor = new Supervisor({
    paths,
    logger,
    command: { nodePath: process.execPath, tsxLoaderUrl: tsxLoaderUrl() },
    baseEnv: { ...childBaseEnv(), [SUPERVISOR_MARKER]: paths.home },
    portBase: Number(process.env.APICTL_PORT_BASE) || undefined,
    balancerHost: process.env.APICTL_BALANCER_HOST || undefined,
    fifosChanged: keeper ? () => keeper.notify() : undefined,
  });
  let stopping: Promise<void> | null = null;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  // The next daemon must be able to bind the metrics port at once.
  let metricsServer: Awaited<ReturnType<typeof serveMetricsIfAsked>> = null;
  const finish = (code: number, message: string) => {
    metricsServer?.close();
    metricsServer?.closeAllConnections();
    logger.info(message);
    daemonLog.close();
    resolveDone(code);
  };
  const shutdown = (why: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ why }, 'daemon stopping: stopping every service');
      keeper?.silence();
      server.refuseNewWork('the daemon is stopping');
      // Every stop is bounded by its kill timeout; this bounds the whole, so a bug cannot keep the daemon from exiting.
      const deadlineMs = Math.max(0, ...supervisor.definitions().map((definition) => definition.killTimeoutMs)) + SHUTDOWN_MARGIN_MS;
      const stopped = await withDeadline(supervisor.shutdown(), deadlineMs).catch((error: Error) => {
        logger.error({ err: error }, 'shutdown: a service did not stop cleanly');
        return true;
      });
      if (!stopped) logger.error({ deadlineMs }, 'shutdown: services still stopping after the deadline; exiting anyway (the next daemon stops what is left)');
      await server.close();
      rmSync(paths.socket, { force: true });
      rmSync(paths.pid, { force: true });
      finish(EXIT_STOPPED, 'daemon stopped');
    })();
    return stopping;
  };
  const handOver = (): Promise<void> => {
    stopping ??= (async () => {
      logger.info('daemon handing over to the installed build: services keep running');
      keeper?.silence();
      server.refuseNewWork('the daemon is being replaced by the installed build');
      await server.settle(HANDOVER_SETTLE_MS);
      await supervisor.handOver().catch((error: Error) => logger.error({ err: error }, 'handover: the state could not be written in full'));
      await server.close();
      finish(EXIT_HANDED_OVER, 'daemon handed over');
    })();
    return stopping;
  };
  const handlers = createHandlers({ supervisor, paths, startedAt: Date.now(), shutdown: () => void shutdown('kill'), update: keeper ? () => void handOver() : null });
  // What a command that changes something left, and a status change, is collected once the daemon
  // is quiet again; a dashboard polling `list` or `metrics` must not make it collect every 30 s.
  const server = new DaemonServer(
    Object.fromEntries(
      Object.entries(handlers).map(([method, handle]) => [method, READ_ONLY.has(method) ? handle : (params, call) => handle(params, call).finally(() => daemonCollector.touch())]),
    ),
    logger,
  );
  supervisor.events.on('change', () => daemonCollector.touch());
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGHUP', () => undefined);
  // stdout/stderr may be a full disk or a closed journal: never a reason to die.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  // A bug must not take the services down with it: log and exit, leaving the
  // children running; the keeper (or systemd) starts a daemon that adopts them.
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception: exiting, services left to the next daemon');
    daemonLog.close();
    process.exit(EXIT_CRASHED);
  });
  process.on('unhandledRejection', (error) => logger.error({ err: error }, 'unhandled rejection'));

  // Live processes are adopted before the socket answers; stopping leftovers and restarting what
  // ended (which can take a kill timeout) go on while it already does.
  const { rest } = await recover(paths, supervisor, logger);
  await server.listen(paths.socket);
  void rest
    // Ports held at boot that no balancer took (a service that did not come back) are let go.
    .then(() => releaseHeldPorts())
    .then(() => (options.resurrect ? resurrectDump(paths, supervisor, logger) : undefined))
    .catch((error: Error) => logger.error({ err: error }, 'recovery failed'));
  metricsServer = await serveMetricsIfAsked(process.env, supervisor, logger);
  // Informational (what `kill` and people read): a full disk must not stop the daemon from starting.
  await writeFileAtomic(paths.pid, `${process.pid}\n`).catch((error: Error) => logger.error({ err: error }, 'cannot write daemon.pid'));
  keeper?.notify();
  logger.info({ pid: process.pid, home: paths.home, keeper: keeper !== null }, 'daemon ready');
  // Starting up is work too: what only startup ran (and its garbage) is let go once it is quiet.
  daemonCollector.touch();
  const code = await done;
  lock.close();
  return code;
}

/** Methods that change nothing: they leave little garbage and may come every second. */
const READ_ONLY = new Set(['ping', 'list', 'routes', 'show', 'recent', 'monitor', 'metrics', 'logs']);

async function resurrectDump(paths: HomePaths, supervisor: Supervisor, logger: Logger): Promise<void> {
  try {
    const known = new Set(supervisor.names());
    const dump = await withChecks((checks) => checks.readDump(paths.dump));
    if (dump.issues.length > 0) logger.error({ issues: dump.issues }, 'dump.json: some entries are not valid and were not started (the file is left as it is)');
    const missing = dump.services.filter((definition) => !known.has(definition.name));
    for (const definition of missing) {
      await supervisor.start([definition], null).catch((error: Error) => logger.error({ service: definition.name, err: error }, 'resurrect failed'));
    }
    for (const table of dump.routes) {
      await supervisor.addRoutes(table).catch((error: Error) => logger.error({ port: table.port, err: error }, 'resurrect: routes failed'));
    }
    logger.info({ services: missing.map((definition) => definition.name) }, 'resurrected dump.json');
  } catch (error) {
    logger.error({ err: error }, 'cannot resurrect dump.json');
  }
}

function createLogger(file: DaemonLog, foreground: boolean): Logger {
  const destination = { write: (line: string) => file.write(line) };
  const streams = foreground ? multistream([{ stream: destination }, { stream: process.stdout }]) : destination;
  // No base pid: entries about children carry their own `pid`; "daemon ready" names the daemon's.
  return pino({ base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, streams);
}

/** What children start from: the daemon's environment without apictl's own markers it may have inherited. */
function childBaseEnv(): Record<string, string> {
  const internal = new Set([SUPERVISOR_MARKER, SPAWN_MARKER, DEFINITION_MARKER, 'APICTL_KEEPER_PID', 'APICTL_KEEPER_HOME', 'APICTL_NODE', 'APICTL_DAEMON_ENTRY', 'APICTL_RESURRECT', 'APICTL_FOREGROUND']);
  // The keeper's settings for the daemon's malloc (bin/apictl-keeper), not the user's: services do not inherit them.
  for (const name of process.env.APICTL_OWN_MALLOC?.split(' ') ?? []) if (/^MALLOC_[A-Z_]+$/.test(name)) internal.add(name);
  internal.add('APICTL_OWN_MALLOC');
  // An older keeper's marker (a daemon handed over by `apictl update` runs under the keeper it found).
  if (process.env.APICTL_OWN_MALLOC_ARENA_MAX === '1') internal.add('MALLOC_ARENA_MAX').add('APICTL_OWN_MALLOC_ARENA_MAX');
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !internal.has(key)) env[key] = value;
  }
  return env;
}

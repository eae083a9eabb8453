import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { pino, multistream, type Logger } from 'pino';
import { acquireDaemonLock } from './lock.js';
import { DaemonServer } from './server.js';
import { createHandlers } from './handlers.js';
import { recoverFromState } from './recover.js';
import { resolvePaths, type HomePaths } from '../state/paths.js';
import { readJsonFile, type StateFile } from '../state/store.js';
import { readDump } from '../state/dump.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { tsxLoaderUrl } from '../process/tsx-loader.js';
import { SUPERVISOR_MARKER } from '../process/supervised-marker.js';
import { serveMetricsIfAsked } from '../metrics/metrics-server.js';

export interface DaemonOptions {
  /** Foreground (systemd, `apictl daemon`): also log to stdout. */
  foreground: boolean;
  /** At boot: also start what dump.json lists (services recovered from state.json come first). */
  resurrect: boolean;
  home?: string;
}

/** Runs the daemon until SIGTERM/SIGINT or `apictl kill`; returns its exit code. */
export async function runDaemon(options: DaemonOptions): Promise<number> {
  const paths = resolvePaths(options.home);
  prepareHome(paths);
  const lock = await acquireDaemonLock(paths.home);
  if (!lock) {
    if (options.foreground) process.stderr.write(`apictl: a daemon is already running for ${paths.home}\n`);
    return options.foreground ? 1 : 0;
  }
  const logger = createLogger(paths, options.foreground);
  const supervisor = new Supervisor({
    paths,
    logger,
    command: { nodePath: process.execPath, tsxLoaderUrl: tsxLoaderUrl() },
    baseEnv: { ...childBaseEnv(), [SUPERVISOR_MARKER]: paths.home },
    portBase: Number(process.env.APICTL_PORT_BASE) || undefined,
    balancerHost: process.env.APICTL_BALANCER_HOST || undefined,
  });
  let stopping: Promise<void> | null = null;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  const server = new DaemonServer(
    createHandlers({ supervisor, paths, startedAt: Date.now(), shutdown: () => void shutdown('kill') }),
    logger,
  );
  const shutdown = (why: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ why }, 'daemon stopping: stopping every service');
      await supervisor.shutdown();
      await server.close();
      rmSync(paths.socket, { force: true });
      rmSync(paths.pid, { force: true });
      logger.info('daemon stopped');
      logger.flush();
      resolveDone(0);
    })();
    return stopping;
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGHUP', () => undefined);
  // A bug must not take the services down with it: log and exit, leaving the
  // children running; the next command (or systemd) starts a daemon that
  // recovers them from state.json.
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception: exiting, services left to the next daemon');
    logger.flush();
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => logger.error({ err: error }, 'unhandled rejection'));

  const previous = await readJsonFile<StateFile>(paths.state, 'state').catch((error: Error) => {
    renameSync(paths.state, `${paths.state}.corrupt`);
    logger.error({ err: error }, 'state.json unreadable: starting empty, file kept as state.json.corrupt');
    return null;
  });
  await recoverFromState(paths.home, previous, supervisor, logger);
  if (options.resurrect) await resurrectDump(paths, supervisor, logger);
  await server.listen(paths.socket);
  serveMetricsIfAsked(process.env, supervisor, logger);
  writeFileSync(paths.pid, `${process.pid}\n`, { mode: 0o600 });
  logger.info({ pid: process.pid, home: paths.home }, 'daemon ready');
  const code = await done;
  lock.close();
  return code;
}

async function resurrectDump(paths: HomePaths, supervisor: Supervisor, logger: Logger): Promise<void> {
  try {
    const known = new Set(supervisor.names());
    const dump = await readDump(paths.dump);
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

function prepareHome(paths: HomePaths): void {
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  chmodSync(paths.home, 0o700);
  mkdirSync(paths.logs, { recursive: true, mode: 0o700 });
}

function createLogger(paths: HomePaths, foreground: boolean): Logger {
  const file = pino.destination({ dest: paths.daemonLog, mkdir: true, sync: false });
  const streams = foreground ? multistream([{ stream: file }, { stream: process.stdout }]) : file;
  // No base pid: entries about children carry their own `pid`; "daemon ready" names the daemon's.
  return pino({ base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, streams);
}

/** What children start from: the daemon's environment without a marker it may have inherited. */
function childBaseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && key !== SUPERVISOR_MARKER) env[key] = value;
  }
  return env;
}

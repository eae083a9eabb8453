import { setTimeout as delay } from 'node:timers/promises';
import { connectDaemon } from '../../client/connect.js';
import type { DaemonClient } from '../../client/client.js';
import type { LogLine } from '../../logs/log-line.js';
import { resolvePaths } from '../../state/paths.js';
import type { ServiceSnapshot, Status } from '../../types.js';
import { Dashboard } from '../../tui/dashboard.js';
import type { DaemonInfo } from '../../tui/view-model.js';

/**
 * Full-screen dashboard fed by one subscription to the daemon. When the daemon
 * goes away it says so and reconnects every second; q or Ctrl-C leaves the
 * terminal as it was.
 */
export async function run(): Promise<void> {
  const paths = resolvePaths();
  let client: DaemonClient | null = await connectDaemon(paths);
  let quitting = false;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const call = async <T>(method: string, params: Record<string, unknown>): Promise<T> => {
    if (!client) throw new Error('daemon not reachable');
    return client.call<T>(method, params);
  };
  const dashboard = new Dashboard({
    restart: async (service) => void (await call('restart', { target: service, wait: false })),
    toggle: async (service, status: Status) =>
      void (await call(['stopped', 'errored'].includes(status) ? 'restart' : 'stop', { target: service, wait: false })),
    recent: (service) => call<LogLine[]>('recent', { target: service, limit: 200 }),
    quit: () => {
      quitting = true;
      client?.close();
      dashboard.destroy();
      finish();
    },
  });
  process.once('SIGTERM', () => dashboard.screen.emit('keypress', 'q', { name: 'q', full: 'q' }));
  const subscribe = async (connection: DaemonClient) => {
    await connection.call('monitor', {}, { timeoutMs: null, onEvent: (event, data) => {
      if (event === 'snapshot') {
        const { services, daemon } = data as { services: ServiceSnapshot[]; daemon: DaemonInfo };
        dashboard.update(services, daemon, true);
      } else if (event === 'lines') {
        dashboard.addLines((data as { lines: LogLine[] }).lines);
      }
    } });
  };
  void (async () => {
    while (!quitting) {
      if (client) {
        await subscribe(client).catch(() => undefined);
        client = null;
        if (quitting) break;
        dashboard.update([], null, false);
      }
      await delay(1_000);
      client = await connectDaemon(paths, { autostart: false }).catch(() => null);
    }
  })();
  await finished;
}

import { setTimeout as delay } from 'node:timers/promises';
import { connectDaemon } from '../../client/connect.js';
import type { DaemonClient } from '../../client/client.js';
import { ApictlError } from '../../errors.js';
import type { MethodName, ParamsOf, ResultOf } from '../../protocol/methods.js';
import { resolvePaths } from '../../state/paths.js';
import { Dashboard } from '../../tui/dashboard.js';

/**
 * Full-screen dashboard fed by one subscription to the daemon. When the daemon
 * goes away it says so and reconnects every second; q, Ctrl-C, SIGTERM and
 * SIGHUP all leave the terminal as it was.
 */
export async function run(): Promise<void> {
  // Escape codes written into a pipe or a file are garbage to whoever reads it.
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new ApictlError('APICTL_NO_TTY', 'monit needs a terminal, and its input or output is not one', {
      hint: 'run it in a terminal (over SSH: ssh -t); for scripts use `apictl list --json` or `apictl logs --json`',
    });
  }
  const paths = resolvePaths();
  let client: DaemonClient | null = await connectDaemon(paths);
  let quitting = false;
  const stopWaiting = new AbortController();
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const call = async <M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> => {
    if (!client) throw new Error('daemon not reachable');
    return client.call(method, params);
  };
  const quit = () => {
    if (quitting) return;
    quitting = true;
    process.off('SIGTERM', quit);
    process.off('SIGHUP', quit);
    stopWaiting.abort();
    client?.close();
    dashboard.destroy();
    finish();
  };
  const dashboard = new Dashboard({
    restart: async (service) => void (await call('restart', { target: service, wait: false })),
    toggle: async (service, status) =>
      void (await (['stopped', 'errored'].includes(status) ? call('restart', { target: service, wait: false }) : call('stop', { target: service }))),
    recent: (service) => call('recent', { target: service, limit: 200 }),
    quit,
  });
  // The first SIGTERM or SIGHUP (terminal closed) ends monit the way q does.
  process.on('SIGTERM', quit);
  process.on('SIGHUP', quit);
  const subscribe = async (connection: DaemonClient) => {
    await connection.call('monitor', {}, {
      timeoutMs: null,
      onEvent: (message) => {
        if (message.event === 'snapshot') dashboard.update(message.data.services, message.data.daemon, true);
        else if (message.event === 'lines') dashboard.addLines(message.data.lines);
      },
    });
  };
  void (async () => {
    while (!quitting) {
      if (client) {
        await subscribe(client).catch(() => undefined);
        client = null;
        if (quitting) break;
        dashboard.update([], null, false);
      }
      await delay(1_000, undefined, { signal: stopWaiting.signal }).catch(() => undefined);
      if (!quitting) client = await connectDaemon(paths, { autostart: false }).catch(() => null);
    }
  })();
  await finished;
}

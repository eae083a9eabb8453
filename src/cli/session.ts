import { connectDaemon } from '../client/connect.js';
import type { DaemonClient } from '../client/client.js';
import { resolvePaths, type HomePaths } from '../state/paths.js';

/** Runs `work` with a client connected to this home's daemon (started if needed). */
export async function withDaemon<T>(work: (client: DaemonClient, paths: HomePaths) => Promise<T>, autostart = true): Promise<T> {
  const paths = resolvePaths();
  const client = await connectDaemon(paths, { autostart });
  try {
    return await work(client, paths);
  } finally {
    client.close();
  }
}

/** Deadline for start, stop, restart, reload, delete, resurrect: bounded by the daemon's own timeouts; a wedged daemon is caught sooner by the heartbeat. */
export const LONG_CALL_MS = 15 * 60_000;

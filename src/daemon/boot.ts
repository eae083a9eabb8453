import { resolvePaths } from '../state/paths.js';
import { holdDaemonPorts } from './early-ports.js';
import { prepareHome } from './home.js';
import { acquireDaemonLock } from './lock.js';
import type { DaemonOptions } from './main.js';

/**
 * A daemon's first moments, before it loads the rest of itself: the home is
 * checked, the lock taken, and the public ports the last daemon listened on
 * (balanced services, routes) are opened again at once — a client that
 * connects while this daemon loads and recovers waits instead of being
 * refused. Then the daemon proper runs.
 */
export async function bootDaemon(options: Omit<DaemonOptions, 'home' | 'locked'> & { home?: string }): Promise<number> {
  const home = prepareHome(options.home);
  const paths = resolvePaths(home);
  const locked = await acquireDaemonLock(paths.home, paths.socket);
  if ('held' in locked) await holdDaemonPorts(paths.state, process.env.APICTL_BALANCER_HOST || '127.0.0.1');
  const { runDaemon } = await import('./main.js');
  return runDaemon({ ...options, home, locked });
}

import { setTimeout as delay } from 'node:timers/promises';
import { connectDaemon } from '../../client/connect.js';
import { ApictlError } from '../../errors.js';
import { resolvePaths, type HomePaths } from '../../state/paths.js';
import { VERSION } from '../../version.js';

const UPDATE_DEADLINE_MS = 30_000;

/**
 * Replaces the running daemon with the installed build: the old one hands
 * over (writes its live list, lets go of its pipes and ports) and its keeper
 * starts the new build at once, which adopts every running process.
 */
export async function run(): Promise<void> {
  const paths = resolvePaths();
  let client;
  try {
    client = await connectDaemon(paths, { autostart: false });
  } catch (error) {
    if (error instanceof ApictlError && error.code === 'APICTL_NO_DAEMON') {
      process.stdout.write('no daemon running; the next command starts the installed build\n');
      return;
    }
    throw error;
  }
  const { pid: before } = await client.call('update', {}, { timeoutMs: 20_000, waitingFor: 'to hand over' });
  client.close();
  const after = await waitForSuccessor(paths, before);
  const services = await after.client.call('list', {});
  after.client.close();
  const processes = services.flatMap((service) => service.instances).filter((instance) => instance.pid !== null);
  const kept = processes.filter((instance) => instance.adopted).length;
  process.stdout.write(`daemon replaced: pid ${before} → ${after.pid} (apictl ${after.version ?? VERSION}); ${kept} of ${processes.length} running processes kept their pids\n`);
}

async function waitForSuccessor(paths: HomePaths, before: number) {
  const deadline = Date.now() + UPDATE_DEADLINE_MS;
  while (Date.now() < deadline) {
    const client = await connectDaemon(paths, { autostart: false }).catch(() => null);
    if (client) {
      const answer = await client.call('ping', {}, { timeoutMs: 5_000 }).catch(() => null);
      if (answer && answer.pid !== before) return { client, pid: answer.pid, version: answer.version };
      client.close();
    }
    await delay(50);
  }
  throw new ApictlError('APICTL_TIMEOUT', `no new daemon answered within ${UPDATE_DEADLINE_MS / 1000}s after pid ${before} handed over`, {
    hint: 'see `apictl logs --daemon`; the services keep running, and the next command starts a daemon that adopts them',
  });
}

import { connectDaemon } from '../../client/connect.js';
import { resolvePaths } from '../../state/paths.js';

/** Service names, one a line, for completion scripts: nothing (and exit 0) when no daemon runs; never starts one. */
export async function run(): Promise<void> {
  const client = await connectDaemon(resolvePaths(), { autostart: false }).catch(() => null);
  if (!client) return;
  try {
    const services = await client.call('list', {});
    process.stdout.write(services.map((service) => `${service.name}\n`).join(''));
  } finally {
    client.close();
  }
}

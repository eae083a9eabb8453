import { withDaemon } from '../session.js';

/** Prints the Prometheus exposition text the metrics port (APICTL_METRICS_PORT) serves. */
export async function run(): Promise<void> {
  const answer = await withDaemon((client) => client.call('metrics', {}));
  process.stdout.write(answer.text);
}

import { runDaemon } from '../../daemon/main.js';

export async function run(): Promise<void> {
  process.exitCode = await runDaemon({ foreground: true });
}

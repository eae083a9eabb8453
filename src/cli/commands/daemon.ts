import { runDaemon } from '../../daemon/main.js';

export async function run(options: { resurrect?: boolean }): Promise<void> {
  process.exitCode = await runDaemon({ foreground: true, resurrect: options.resurrect ?? false });
}

import { runDaemon } from '../../daemon/main.js';

/** The daemon in this process, in the foreground (containers, other inits); any exit but a clean stop is an error. */
export async function run(options: { resurrect?: boolean }): Promise<void> {
  const code = await runDaemon({ foreground: true, resurrect: options.resurrect ?? false });
  process.exitCode = code === 0 ? 0 : 1;
}

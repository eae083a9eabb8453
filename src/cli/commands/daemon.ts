export async function run(options: { resurrect?: boolean }): Promise<void> {
  // The daemon as tsc built it (dist/daemon/), the same code an auto-started daemon runs; not part of the CLI bundle.
  const { runDaemon } = await import('../../daemon/main.js');
  process.exitCode = await runDaemon({ foreground: true, resurrect: options.resurrect ?? false });
}

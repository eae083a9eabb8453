/** The daemon in this process, in the foreground (containers, other inits); any exit but a clean stop is an error. */
export async function run(options: { resurrect?: boolean }): Promise<void> {
  // The daemon's bundle (dist/bundle/daemon-boot.cjs, scripts/bundle-daemon.mjs), the same code an auto-started daemon runs; not part of the CLI bundle.
  const { bootDaemon } = await import('../../daemon/boot.js');
  const code = await bootDaemon({ foreground: true, resurrect: options.resurrect ?? false });
  process.exitCode = code === 0 ? 0 : 1;
}

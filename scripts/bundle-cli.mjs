// Bundles the CLI into dist/bundle/: apictl.cjs (commander, the command table)
// and one self-contained file per command, loaded only when that command runs.
// CommonJS on purpose: a CJS entry skips Node's ESM loader, which cost ~3 ms
// per call (measured, Node 20, 2-core machine: `node empty.mjs` vs
// `node empty.cjs`); the commands are require()d, not import()ed, for the same
// reason. One file per command, not esbuild's shared chunks: `list` loaded 10
// files that way and took 23 ms longer. The heavy libraries stay external, so
// only the commands that use them load them; `apictl daemon` requires the
// daemon's own bundle (daemon-boot.cjs, scripts/bundle-daemon.mjs), the same
// code an auto-started daemon runs.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { commonOptions } from './bundle-options.mjs';

/** The table's `import('./commands/x.js')` stays a load of the command's own file, dist/bundle/cmd-x.cjs. */
const commandsAsFiles = {
  name: 'commands-as-files',
  setup(build) {
    build.onResolve({ filter: /^\.\/commands\/[a-z-]+\.js$/ }, (args) =>
      args.importer.endsWith('/src/cli/commands.ts') ? { path: `./cmd-${args.path.slice('./commands/'.length, -3)}.cjs`, external: true } : undefined,
    );
    build.onResolve({ filter: /\/daemon\/boot\.js$/ }, (args) =>
      args.importer.endsWith('/src/cli/commands/daemon.ts') ? { path: './daemon-boot.cjs', external: true } : undefined,
    );
  },
};

/**
 * commander requires node:child_process at load for executable subcommands,
 * which apictl never uses; loading it costs ~2.5 ms per call. This proxy
 * loads it on first use instead.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes('/node_modules/commander/') ? { path: 'child_process', namespace: 'lazy' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "let m; module.exports = new Proxy({}, { get: (_, key) => (m ??= require('node:child_process'))[key] });",
      loader: 'js',
    }));
  },
};

const common = {
  ...commonOptions,
  external: ['zod', 'pino', 'execa', 'pidusage', 'blessed', 'chokidar', 'picomatch', 'tsx', 'yaml', 'dotenv', 'croner', 'undici', 'prom-client'],
  plugins: [commandsAsFiles, lazyChildProcess],
};

rmSync('dist/bundle', { recursive: true, force: true });

const commands = Object.fromEntries(
  readdirSync('src/cli/commands')
    .filter((file) => file.endsWith('.ts') && file !== 'daemon.ts')
    .map((file) => [`cmd-${file.slice(0, -3)}`, `src/cli/commands/${file}`]),
);

await Promise.all([
  // The entry loads a command with require(): no dynamic import(), so no ESM loader.
  build({ ...common, entryPoints: { apictl: 'src/cli/main.ts' }, supported: { 'dynamic-import': false } }),
  build({ ...common, entryPoints: commands }),
  // `apictl daemon` require()s the daemon's bundle: a CommonJS daemon without the ESM loader, as the keeper runs it.
  build({ ...common, entryPoints: { 'cmd-daemon': 'src/cli/commands/daemon.ts' }, supported: { 'dynamic-import': false } }),
]);

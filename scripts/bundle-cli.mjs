// Bundles the CLI into dist/bundle/: apictl.js (argument parsing and the
// command table) and one self-contained file per command, loaded only when that
// command runs. One file per command, not esbuild's shared chunks: `list`
// loaded 10 files that way and took 23 ms longer (measured, 2-core machine).
// The heavy libraries (zod, pino, execa, blessed, pidusage) stay external, so
// only the commands that use them load them.
import { build } from 'esbuild';
import { readFileSync, readdirSync, rmSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/** main.ts's `import('./commands/x.js')` stays a runtime import of the command's own file, dist/bundle/cmd-x.js. */
const commandsAsFiles = {
  name: 'commands-as-files',
  setup(build) {
    build.onResolve({ filter: /^\.\/commands\/[a-z-]+\.js$/ }, (args) =>
      args.importer.endsWith('/src/cli/main.ts') ? { path: `./cmd-${args.path.slice('./commands/'.length)}`, external: true } : undefined,
    );
  },
};

const common = {
  outdir: 'dist/bundle',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  external: ['zod', 'pino', 'execa', 'pidusage', 'blessed', 'chokidar', 'picomatch', 'tsx', 'undici', 'prom-client'],
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  define: { __APICTL_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
};

rmSync('dist/bundle', { recursive: true, force: true });

const commands = Object.fromEntries(
  readdirSync('src/cli/commands')
    .filter((file) => file.endsWith('.ts'))
    .map((file) => [`cmd-${file.slice(0, -3)}`, `src/cli/commands/${file}`]),
);

await Promise.all([
  build({ ...common, entryPoints: { apictl: 'src/cli/main.ts' }, plugins: [commandsAsFiles] }),
  build({ ...common, entryPoints: commands }),
]);

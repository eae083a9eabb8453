// Bundles the daemon into dist/bundle/ as CommonJS: daemon-entry.cjs (what
// the keeper runs: entry.ts and boot.ts, which hold the ports), daemon.cjs
// (the rest, with pino inside; boot.ts require()s it), daemon-boot.cjs (what
// `apictl daemon` loads), and one vendor-<package>.cjs per library the daemon
// imports, require()d only where the daemon first imports it.
//
// Why (measured at rest, 0 services, Node 20.20): the ~100 ES modules tsc
// builds cost the ESM loader and a module record each: one CommonJS file is
// several MB smaller (see the commit). A library from node_modules as an ES
// module (execa, chokidar, croner) would bring the ESM loader back, so each is
// bundled into its own CommonJS file; every `import()` becomes a require()
// (`dynamic-import: false`), which is what keeps the ESM loader out.
// The libraries are found by esbuild as it resolves the daemon's imports,
// not by reading src/.
import { build } from 'esbuild';
import { randomBytes } from 'node:crypto';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { commonOptions } from './bundle-options.mjs';

/** In the daemon bundle: what stays a file of its own. */
const BUNDLED_IN_DAEMON = new Set(['pino', '@noble/hashes']);
/** Resolved at run time, never imported: tsx is a loader for TypeScript children. */
const NOT_VENDORED = new Set(['tsx']);
const builtins = new Set(builtinModules);

/**
 * Modules with state the entry (boot) and the daemon proper must share: each is
 * a file of its own that both require. held-ports: the ports boot.ts holds are
 * the ones the balancer takes over.
 */
const SHARED = { 'src/balancer/held-ports.ts': 'held-ports.cjs', 'src/errors.ts': 'errors.cjs' };
/**
 * Loaded apart and let go of after use (src/daemon/checks-loader.ts): the
 * services-file checks and zod, the only file that requires vendor-zod.cjs.
 * errors.ts is shared, not copied: ApictlError must be one class in both.
 */
const APART = { 'src/daemon/checks.ts': 'daemon-checks.cjs' };
const LOADED_APART_ONLY = ['vendor-zod.cjs'];
/**
 * Modules both files may carry a copy of: no state at module level. The build
 * fails on any other module in both, so a new one is either listed here or shared.
 */
const COPIED = new Set([
  'src/daemon/build-id.ts',
  'src/balancer/traffic-settings.ts',
  'src/balancer/trust-proxy.ts',
  'src/config/defaults.ts',
  'src/config/definition-entry.ts',
  'src/config/units.ts',
  'src/daemon/exit-codes.ts',
  'src/daemon/home.ts',
  'src/daemon/lock.ts',
  'src/state/fs-async.ts',
  'src/state/paths.ts',
  'src/state/store.ts',
  'src/version.ts',
]);

const packageOf = (specifier) => {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
};

/**
 * boot.ts's `import('./main.js')` is a require of daemon.cjs, and cmd-daemon's
 * `import('../../daemon/boot.js')` one of daemon-boot.cjs; a package src/
 * imports is a require of its vendor file (collected in `vendored`).
 */
function daemonFiles(vendored) {
  return {
    name: 'daemon-files',
    setup(b) {
      b.onResolve({ filter: /^\.\/main\.js$/ }, (args) => (args.importer.endsWith('/src/daemon/boot.ts') ? { path: './daemon.cjs', external: true } : undefined));
      b.onResolve({ filter: /\.js$/ }, (args) => {
        if (args.kind === 'entry-point' || !args.importer.includes('/src/')) return undefined;
        const source = relative(process.cwd(), resolve(dirname(args.importer), args.path.replace(/\.js$/, '.ts')));
        const file = SHARED[source] ?? APART[source];
        return file ? { path: `./${file}`, external: true } : undefined;
      });
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (!args.importer.includes('/src/') || args.importer.includes('/node_modules/')) return undefined;
        if (args.path.startsWith('node:') || builtins.has(args.path)) return undefined;
        const name = packageOf(args.path);
        if (BUNDLED_IN_DAEMON.has(name)) return undefined;
        if (NOT_VENDORED.has(name)) return { path: args.path, external: true };
        if (args.path !== name) throw new Error(`bundle-daemon: src/ imports ${args.path}; vendor files are whole packages`);
        vendored.add(name);
        return { path: `./vendor-${name.replace('/', '-')}.cjs`, external: true };
      });
    },
  };
}

/**
 * What pino and sonic-boom require but the daemon never uses, each of which
 * would load node modules at start (npm run bench, issue 15): pino's
 * transports (thread-stream, and pino's one use of worker_threads,
 * isMainThread: ~0.5 MB resident; the daemon logs through a sonic-boom stream
 * and never calls pino.transport(), which says so if asked), and node:assert,
 * which sonic-boom calls once as assert(condition, message) (~0.3 MB).
 */
const SHIMS = {
  pino: {
    'thread-stream': "module.exports = class ThreadStream { constructor() { throw new Error('pino transports are not part of the apictl daemon'); } };",
    worker_threads: 'module.exports = { isMainThread: true };',
  },
  'sonic-boom': {
    assert: "module.exports = function assert(value, message) { if (!value) throw new Error(message ?? 'assertion failed'); };",
  },
};
function loggingShims() {
  const shimmedPackage = (importer) => Object.keys(SHIMS).find((name) => importer.includes(`/node_modules/${name}/`));
  return {
    name: 'logging-shims',
    setup(b) {
      b.onResolve({ filter: /^(thread-stream|worker_threads|assert)$/ }, (args) => {
        const name = shimmedPackage(args.importer);
        return name && SHIMS[name][args.path] ? { path: `${name}:${args.path}`, namespace: 'logging-shim' } : undefined;
      });
      b.onLoad({ filter: /.*/, namespace: 'logging-shim' }, (args) => {
        const [name, module] = args.path.split(':');
        return { contents: SHIMS[name][module], loader: 'js' };
      });
    },
  };
}

/** One id for every file of this build (src/daemon/build-id.ts). */
const BUILD = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
const common = {
  ...commonOptions,
  define: { ...commonOptions.define, __APICTL_BUILD__: JSON.stringify(BUILD) },
  // An import() of a file of ours or a vendor file is a require(): no ESM loader.
  supported: { 'dynamic-import': false },
  // Names kept (+N MB at rest): a heap snapshot, and the heapCounts method, says Service or Cron, not `hn`.
  minify: false,
  minifyWhitespace: true,
  minifySyntax: true,
};

/**
 * Vendor files keep their names only where a heap snapshot must name their
 * objects (heapCounts, test/integration/retained.test.ts: zod's Internals,
 * croner's Cron, chokidar's FSWatcher). The rest are minified: V8 keeps a
 * loaded file's source for good (execa: 219 -> 123 KB), ~0.4 MB at rest.
 */
const NAMES_KEPT = new Set(['zod', 'croner', 'chokidar']);
const vendored = new Set();
const { metafile } = await build({
  ...common,
  entryPoints: {
    'daemon-entry': 'src/daemon/entry.ts',
    daemon: 'src/daemon/main.ts',
    'daemon-boot': 'src/daemon/boot.ts',
    ...Object.fromEntries(Object.entries({ ...SHARED, ...APART }).map(([source, file]) => [file.replace(/\.cjs$/, ''), source])),
  },
  plugins: [loggingShims(), daemonFiles(vendored)],
  metafile: true,
});
const sourcesOf = (output) => new Set(Object.keys(metafile.outputs[`dist/bundle/${output}`].inputs).filter((input) => input.startsWith('src/')));
for (const other of ['daemon-entry.cjs', ...Object.values(APART)]) {
  const otherSources = sourcesOf(other);
  const inBoth = [...sourcesOf('daemon.cjs')].filter((source) => otherSources.has(source) && !COPIED.has(source));
  if (inBoth.length > 0) throw new Error(`bundle-daemon: ${inBoth.join(', ')} would be copied into both ${other} and daemon.cjs: add to SHARED (it has state) or COPIED (it has none)`);
}
const requiredBy = (output) => new Set(metafile.outputs[`dist/bundle/${output}`].imports.map((entry) => entry.path.replace(/^\.\//, '')));
for (const file of LOADED_APART_ONLY) {
  const holders = Object.keys(metafile.outputs).filter((output) => requiredBy(output.replace('dist/bundle/', '')).has(file));
  if (holders.some((output) => !Object.values(APART).includes(output.replace('dist/bundle/', '')))) throw new Error(`bundle-daemon: ${file} is required by ${holders.join(', ')}: only a file loaded apart may require it, or it is never let go`);
}
await Promise.all(
  [...vendored].map((name) =>
    build({
      ...common,
      stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: '.', loader: 'js', sourcefile: `vendor-${name}.js` },
      outdir: undefined,
      outfile: `dist/bundle/vendor-${name.replace('/', '-')}.cjs`,
      minifyIdentifiers: !NAMES_KEPT.has(name),
    }),
  ),
);

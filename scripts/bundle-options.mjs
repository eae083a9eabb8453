// esbuild options both bundles share: minified CommonJS for Node 20 in dist/bundle/, the version inlined.
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

export const commonOptions = {
  outdir: 'dist/bundle',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  outExtension: { '.js': '.cjs' },
  define: { __APICTL_VERSION__: JSON.stringify(version), 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
};

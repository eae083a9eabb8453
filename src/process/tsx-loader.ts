import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

/** file:// URL of the bundled tsx loader: `node --import <it> app.ts` runs TypeScript on Node 20. */
export function tsxLoaderUrl(): string {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('tsx/package.json');
  return pathToFileURL(packageJson.replace(/package\.json$/, 'dist/loader.mjs')).href;
}

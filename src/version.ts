import { createRequire } from 'node:module';

// The CLI bundle gets the version inlined at build time (no package.json read on start-up).
declare const __APICTL_VERSION__: string | undefined;

export const VERSION: string =
  typeof __APICTL_VERSION__ === 'string'
    ? __APICTL_VERSION__
    : (createRequire(import.meta.url)('../package.json') as { version: string }).version;

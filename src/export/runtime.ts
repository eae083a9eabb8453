import { basename, extname } from 'node:path';
import type { Runtime } from './types.js';

// Which runtime a service is, and what its image needs: one row per runtime.

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);

/** Pure: the runtime of a script run by `interpreter` (as chooseInterpreter picked it). */
export function detectRuntime(interpreter: string, script: string): Runtime {
  const program = basename(interpreter);
  if (/^node(js)?$/.test(program)) return TYPESCRIPT.has(extname(script).toLowerCase()) ? 'typescript' : 'node';
  if (/^python3?(\.\d+)?$/.test(program)) return 'python';
  if (program === 'Rscript') return 'r';
  return 'other';
}

export interface RuntimeImage {
  /** FROM line. */
  base: string;
  /** Dockerfile lines after `COPY . .`: the dependencies the folder declares. */
  setup: string[];
  /** argv (inside the image) that exits 0 when `url` answers 2xx within `timeoutSeconds`. */
  probe: (url: string, timeoutSeconds: number) => string[];
  /** Lines before the image's CMD, e.g. to clear a base image's ENTRYPOINT. */
  beforeCmd: string[];
}

const curlProbe = (url: string, timeoutSeconds: number) => ['curl', '-fsS', '-o', '/dev/null', '-m', String(timeoutSeconds), url];

const NODE_SETUP = ['RUN if [ -f package-lock.json ]; then npm ci --omit=dev; elif [ -f package.json ]; then npm install --omit=dev; fi'];

export const RUNTIME_IMAGES: Record<Runtime, RuntimeImage> = {
  node: {
    base: 'node:20-slim',
    setup: NODE_SETUP,
    probe: (url, timeoutSeconds) => [
      'node', '-e',
      `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(${timeoutSeconds * 1000}) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
    ],
    beforeCmd: [],
  },
  typescript: {
    base: 'node:20-slim',
    // The TypeScript loader apictl bundles, installed beside the app: `node --import tsx` runs .ts on Node 20.
    setup: [...NODE_SETUP, 'RUN npm install --no-save tsx@4'],
    probe: (url, timeoutSeconds) => RUNTIME_IMAGES.node.probe(url, timeoutSeconds),
    beforeCmd: [],
  },
  python: {
    base: 'python:3.12-slim',
    setup: ['ENV PYTHONUNBUFFERED=1', 'RUN if [ -f requirements.txt ]; then pip install --no-cache-dir -r requirements.txt; fi'],
    probe: (url, timeoutSeconds) => ['python3', '-c', `import urllib.request; urllib.request.urlopen(${JSON.stringify(url)}, timeout=${timeoutSeconds})`],
    beforeCmd: [],
  },
  r: {
    // R with Plumber and its dependencies; rocker/r-ver is the same R without Plumber.
    base: 'rstudio/plumber',
    setup: ["RUN if [ -f renv.lock ]; then R -q -e 'install.packages(\"renv\"); renv::restore()'; fi"],
    probe: (url, timeoutSeconds) => ['Rscript', '-e', `options(timeout = ${timeoutSeconds}); invisible(readLines(url(${JSON.stringify(url)}), warn = FALSE))`],
    // rstudio/plumber's ENTRYPOINT plumbs a file itself; the service's own script starts the server here.
    beforeCmd: ['ENTRYPOINT []'],
  },
  other: {
    base: 'debian:bookworm-slim',
    setup: [],
    probe: curlProbe,
    beforeCmd: [],
  },
};

/** The image for "other" interpreters that have an official one. */
export function baseImageOf(runtime: Runtime, interpreter: string): string {
  if (runtime === 'other' && basename(interpreter) === 'ruby') return 'ruby:3.3-slim';
  return RUNTIME_IMAGES[runtime].base;
}

/** Interpreters an "other" image has without extra packages. */
export function imageHasInterpreter(interpreter: string): boolean {
  return ['none', 'bash', 'sh', 'ruby'].includes(basename(interpreter));
}

/**
 * argv of the service's program before the script: the interpreter and its
 * arguments, `--import tsx` for TypeScript. In an image the interpreter is the
 * image's own (by name); on a host it stays as the services file gave it.
 */
export function interpreterArgv(runtime: Runtime, interpreter: string, interpreterArgs: string[], where: 'image' | 'host'): string[] {
  if (interpreter === 'none') return [];
  const program = where === 'image' && runtime !== 'other' ? (runtime === 'typescript' ? 'node' : basename(interpreter)) : interpreter;
  return [program, ...(runtime === 'typescript' ? ['--import', 'tsx'] : []), ...interpreterArgs];
}

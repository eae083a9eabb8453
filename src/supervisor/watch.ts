import type picomatchType from 'picomatch';
import { isAbsolute, relative, resolve } from 'node:path';

export const WATCH_DEBOUNCE_MS = 300;
const ALWAYS_IGNORED = ['**/node_modules/**', '**/.git/**', '**/__pycache__/**', '**/*.log'];

/** Pure: splits "src/**\/*.ts" into the folder to watch ("src") and the glob that filters events. */
function splitGlob(picomatch: typeof picomatchType, pattern: string, cwd: string): { root: string; match: ((path: string) => boolean) | null } {
  const absolute = isAbsolute(pattern) ? pattern : resolve(cwd, pattern);
  const scan = picomatch.scan(absolute);
  if (!scan.isGlob) return { root: absolute, match: null };
  const matcher = picomatch(absolute, { dot: true });
  return { root: scan.base || '/', match: (path) => matcher(path) };
}

/**
 * Watches paths/globs (chokidar 4 has no globs: folders are watched, events
 * filtered with picomatch) and calls `onChange` once per burst of changes.
 * chokidar and picomatch are loaded with the first watched service: a daemon
 * without `watch` never loads them.
 */
export function watchPaths(
  patterns: string[],
  ignore: string[],
  cwd: string,
  onChange: (path: string) => void,
  onError: (error: Error) => void,
): { close(): Promise<void> } {
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  const opening = Promise.all([import('chokidar'), import('picomatch')]).then(([{ watch }, { default: picomatch }]) => {
    if (closed) return null;
    const targets = patterns.map((pattern) => splitGlob(picomatch, pattern, cwd));
    const ignored = picomatch([...ALWAYS_IGNORED, ...ignore.map((item) => (isAbsolute(item) ? item : resolve(cwd, item)))], { dot: true });
    const relevant = (path: string) =>
      !ignored(path) && !ignored(relative(cwd, path)) && targets.some((target) => target.match === null || target.match(path));
    const watcher = watch(targets.map((target) => target.root), {
      ignoreInitial: true,
      ignored: (path: string) => ignored(path),
      awaitWriteFinish: false,
    });
    // A watcher error (inotify limit reached, a folder gone) must not be an uncaught exception in the daemon.
    watcher.on('error', (error) => onError(error instanceof Error ? error : new Error(String(error))));
    let changed = '';
    watcher.on('all', (_event, path) => {
      if (!relevant(path)) return;
      changed = path;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        onChange(changed);
      }, WATCH_DEBOUNCE_MS);
    });
    return watcher;
  });
  opening.catch((error: unknown) => onError(error instanceof Error ? error : new Error(String(error))));
  return {
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await (await opening.catch(() => null))?.close();
    },
  };
}

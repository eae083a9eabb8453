import { watch } from 'chokidar';
import picomatch from 'picomatch';
import { isAbsolute, relative, resolve } from 'node:path';

export const WATCH_DEBOUNCE_MS = 300;
const ALWAYS_IGNORED = ['**/node_modules/**', '**/.git/**', '**/__pycache__/**', '**/*.log'];

/** Pure: splits "src/**\/*.ts" into the folder to watch ("src") and the glob that filters events. */
export function splitGlob(pattern: string, cwd: string): { root: string; match: ((path: string) => boolean) | null } {
  const absolute = isAbsolute(pattern) ? pattern : resolve(cwd, pattern);
  const scan = picomatch.scan(absolute);
  if (!scan.isGlob) return { root: absolute, match: null };
  const matcher = picomatch(absolute, { dot: true });
  return { root: scan.base || '/', match: (path) => matcher(path) };
}

/**
 * Watches paths/globs (chokidar 4 has no globs: folders are watched, events
 * filtered with picomatch) and calls `onChange` once per burst of changes.
 */
export function watchPaths(
  patterns: string[],
  ignore: string[],
  cwd: string,
  onChange: (path: string) => void,
  onError: (error: Error) => void,
): { close(): Promise<void> } {
  const targets = patterns.map((pattern) => splitGlob(pattern, cwd));
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
  let timer: NodeJS.Timeout | null = null;
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
  return {
    close: async () => {
      if (timer) clearTimeout(timer);
      timer = null;
      await watcher.close();
    },
  };
}

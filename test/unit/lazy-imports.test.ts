import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '../../src');

/** Modules a file imports at load time: `import type` and `await import()` do not count. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)';/gms)) found.push(match[1]!);
  for (const match of text.matchAll(/^export\s+(?!type\s)[^;]*?from\s+'([^']+)';/gms)) found.push(match[1]!);
  return found;
}

/** Everything loaded with `entry`, following relative imports (.js → .ts). */
function loadedWith(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of staticImports(file)) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier).replace(/\.js$/, '.ts'));
      else seen.add(specifier);
    }
  };
  visit(entry);
  return seen;
}

describe('a daemon boots light: the ports of the last daemon are held before the rest loads', () => {
  const booting = loadedWith(join(SRC, 'daemon/entry.ts'));
  it.each(['pino', 'zod', join(SRC, 'daemon/main.ts'), join(SRC, 'supervisor/supervisor.ts')])('entry.ts and boot.ts do not load %s statically', (module) =>
    expect(booting.has(module)).toBe(false),
  );
  it('but do load what holds the ports', () => expect(booting.has(join(SRC, 'balancer/held-ports.ts'))).toBe(true));
});

describe('memory at rest: the daemon loads the traffic layer only when first needed', () => {
  // boot.ts loads main.ts with `await import()` once the ports are held.
  const loaded = new Set([...loadedWith(join(SRC, 'daemon/entry.ts')), ...loadedWith(join(SRC, 'daemon/main.ts'))]);
  it('reaches the supervisor (the walk works)', () => expect(loaded.has(join(SRC, 'supervisor/service.ts'))).toBe(true));
  it.each(['undici', 'prom-client', join(SRC, 'balancer/balancer.ts'), join(SRC, 'balancer/routes.ts'), join(SRC, 'balancer/upstream.ts')])(
    'does not load %s at start',
    (module) => expect(loaded.has(module)).toBe(false),
  );
  // Each is loaded where it is first needed: a spawn, a measurement, a watched or scheduled service, a file to validate.
  it.each(['execa', 'pidusage', 'chokidar', 'picomatch', 'croner', 'zod', 'yaml', join(SRC, 'config/schema.ts'), join(SRC, 'config/load.ts'), join(SRC, 'state/dump.ts'), join(SRC, 'state/dump-read.ts'), join(SRC, 'daemon/checks.ts')])(
    'does not load %s at start either',
    (module) => expect(loaded.has(module)).toBe(false),
  );
});

describe('the daemon bundle (scripts/bundle-daemon.mjs), which the keeper and `apictl daemon` run', () => {
  const BUNDLE = resolve(import.meta.dirname, '../../dist/bundle');
  const read = (file: string) => {
    // npm test builds first; without a bundle this fails rather than passing unseen.
    expect(existsSync(join(BUNDLE, file))).toBe(true);
    return readFileSync(join(BUNDLE, file), 'utf8');
  };
  it('`apictl daemon` requires the same boot the keeper runs, not a copy of the daemon in the CLI bundle', () => {
    const text = read('cmd-daemon.cjs');
    expect(text).toMatch(/require\("\.\/daemon-boot\.cjs"\)/);
    expect(text).not.toMatch(/undici|prom-client|Supervisor/);
  });
  it.each(['daemon-entry.cjs', 'daemon-boot.cjs', 'daemon.cjs', 'vendor-execa.cjs'])('%s has no import(): nothing brings in the ESM loader', (file) =>
    expect(read(file)).not.toMatch(/\bimport\(/),
  );
  it('zod is required by daemon-checks.cjs alone, the file the daemon lets go of after a check', () => {
    expect(read('daemon.cjs')).not.toMatch(/vendor-zod/);
    expect(read('daemon.cjs')).toMatch(/require\("\.\/daemon-checks\.cjs"\)/);
    expect(read('daemon-checks.cjs')).toMatch(/require\("\.\/vendor-zod\.cjs"\)/);
  });
  it('pino comes without its transports (worker threads) and sonic-boom without node:assert', () => {
    const text = read('daemon.cjs');
    expect(text).toMatch(/node_modules\/pino\/pino\.js/);
    expect(text).not.toMatch(/require\("(node:)?(worker_threads|assert)"\)/);
    expect(text).toMatch(/pino transports are not part of the apictl daemon/);
  });
  it('the entry holds the ports before it requires the rest (daemon.cjs)', () => {
    const text = read('daemon-entry.cjs');
    expect(text).toMatch(/require\("\.\/daemon\.cjs"\)/);
    expect(text).not.toMatch(/vendor-/);
  });
});

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
});

describe('`apictl daemon` too', () => {
  const bundle = resolve(import.meta.dirname, '../../dist/bundle/cmd-daemon.cjs');
  it('runs the daemon tsc built (the code above), not a bundled copy that could import the traffic layer eagerly', () => {
    // npm test builds first; without a bundle this fails rather than passing unseen.
    expect(existsSync(bundle)).toBe(true);
    const text = readFileSync(bundle, 'utf8');
    expect(text).toMatch(/daemon\/boot\.js/);
    expect(text).not.toMatch(/undici|prom-client/);
  });
});

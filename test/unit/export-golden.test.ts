import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RENDERERS } from '../../src/export/render.js';
import { EXPORT_TARGETS } from '../../src/export/types.js';
import { REPO } from '../helpers/harness.js';
import { shopInput } from '../helpers/export-input.js';

// Golden files: test/golden/export/<target>/ holds every file the export
// writes plus warnings.txt. UPDATE_GOLDEN=1 rewrites them (then read the diff).
const GOLDEN = join(REPO, 'test/golden/export');

function compare(path: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
  }
  expect(existsSync(path), `${path} is missing (UPDATE_GOLDEN=1 writes it)`).toBe(true);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe.each(EXPORT_TARGETS)('export %s of the shop (every field)', (target) => {
  const output = RENDERERS[target](shopInput());

  it('writes the golden files, and only those', () => {
    for (const file of output.files) compare(join(GOLDEN, target, file.path), file.content);
    const golden = readdirSync(join(GOLDEN, target)).filter((name) => name !== 'warnings.txt').sort();
    expect(output.files.map((file) => file.path).sort()).toEqual(golden);
  });

  it('warns as the golden warnings say', () => {
    compare(join(GOLDEN, target, 'warnings.txt'), output.warnings.join('\n') + '\n');
  });

  it('is the same bytes on a second run', () => {
    expect(RENDERERS[target](shopInput())).toEqual(output);
  });
});

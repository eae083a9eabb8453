import { existsSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diskProbe } from '../../config/file-probe.js';
import { readServicesFile } from '../../config/read-services-file.js';
import { validateServicesFile } from '../../config/validate.js';

/** Paths in a services file are relative to it: moved to another folder, they are rewritten to still point at the same files. */
function rebase(service: Record<string, unknown>, from: string, to: string): Record<string, unknown> {
  if (from === to) return service;
  const moved = { ...service };
  const relocate = (value: unknown) => (typeof value === 'string' && !isAbsolute(value) ? relative(to, resolve(from, value)) || '.' : value);
  // A bare script name may be a command on PATH: only a file that exists beside the source moves.
  if (typeof moved.script === 'string' && (moved.script.includes('/') || existsSync(join(from, moved.script)))) moved.script = relocate(moved.script);
  if (moved.cwd !== undefined) moved.cwd = relocate(moved.cwd);
  else moved.cwd = relocate('.');
  if (moved.envFile !== undefined) moved.envFile = relocate(moved.envFile);
  return moved;
}

/** services.schema.json of this apictl, found upwards from this module (bundled or not). */
function schemaPath(): string | null {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++, folder = dirname(folder)) {
    if (existsSync(join(folder, 'services.schema.json'))) return join(folder, 'services.schema.json');
  }
  return null;
}

export async function run(file: string, options: { out?: string; envProfile?: string }): Promise<void> {
  const read = await readServicesFile(file, { envProfile: options.envProfile });
  const raw = read.payload.raw as { services: Record<string, unknown>[]; routes?: unknown };
  const outDir = options.out ? dirname(resolve(options.out)) : process.cwd();
  const schema = schemaPath();
  const services = raw.services.map((service) => rebase(service, read.payload.baseDir, outDir));
  const result = { ...(schema ? { $schema: relative(outDir, schema) } : {}), services, ...(raw.routes ? { routes: raw.routes } : {}) };
  for (const warning of read.warnings) process.stderr.write(`apictl: warning: ${warning}\n`);
  const validation = validateServicesFile(result, outDir, diskProbe);
  if (!validation.ok) {
    process.stderr.write(`apictl: warning: the result does not start as it is; fix these first:\n${validation.issues.map((issue) => `  - ${issue}`).join('\n')}\n`);
  }
  const text = JSON.stringify(result, null, 2) + '\n';
  if (!options.out) {
    process.stdout.write(text);
    return;
  }
  writeFileSync(options.out, text);
  process.stdout.write(`wrote ${services.length} service${services.length === 1 ? '' : 's'} to ${options.out}${read.warnings.length ? ` (${read.warnings.length} warnings above)` : ''}\n`);
}

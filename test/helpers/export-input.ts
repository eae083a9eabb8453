import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDotenv } from '../../src/config/dotenv.js';
import { validateServicesFile } from '../../src/config/validate.js';
import { toExportInput } from '../../src/export/from-definitions.js';
import { fixPorts } from '../../src/export/load-services-file.js';
import type { ExportInput } from '../../src/export/types.js';
import type { RouteTable, ServiceDefinition } from '../../src/types.js';
import { FIXTURES } from './harness.js';

/** The services file that uses every field: a TypeScript API, an R Plumber API, a Python API with 3 instances, routes. */
export const SHOP = join(FIXTURES, 'export/shop');
export const SHOP_FILE = join(SHOP, 'services.json');

/** The fixture's envFile, wherever the input says the shop lives. */
export const readShopEnvFile = (path: string) => parseDotenv(readFileSync(join(SHOP, 'api', path.split('/').pop()!), 'utf8')).values;

/**
 * The shop as if it lived in /srv/shop, exported to /srv/shop/deploy: no
 * disk paths of this machine in the output, so golden files hold on any
 * checkout. Every file is taken to exist; the envFile is read from the fixture.
 */
export function shopInput(root = '/srv/shop'): ExportInput {
  return fileInput(JSON.parse(readFileSync(SHOP_FILE, 'utf8')), root, { outDir: `${root}/deploy`, envFileValues: readShopEnvFile });
}

/**
 * A services file (as parsed JSON) through the validation `apictl start`
 * uses, as if it lived in `root`: so a test spells each field as a user
 * does, and export reads what the schema makes of it.
 */
export function fileInput(
  raw: unknown,
  root = '/srv/app',
  options: { outDir?: string; envFileValues?: (path: string) => Record<string, string> } = {},
): ExportInput {
  const validation = validateServicesFile(raw, root, { isFile: () => true, which: () => null });
  if (!validation.ok) throw new Error(validation.issues.join('\n'));
  const { definitions } = fixPorts(validation.drafts, validation.routes, 8000);
  return toExportInput(definitions, validation.routes ? [validation.routes] : [], {
    outDir: options.outDir ?? `${root}/deploy`,
    envFileValues: options.envFileValues ?? (() => ({})),
  });
}

/** A definition as the daemon holds it. */
export function definitionOf(overrides: Partial<ServiceDefinition>): ServiceDefinition {
  return {
    name: 'svc', script: '/srv/app/main.py', interpreterArgs: [], args: [], cwd: '/srv/app', port: 9000, instances: 1, env: {},
    restart: 'always', maxRestarts: 10, restartDelayMs: 100, killTimeoutMs: 5000,
    ...overrides,
  } as ServiceDefinition;
}

export function inputOf(definitions: ServiceDefinition[], routes: RouteTable[] = [], outDir = '/srv/app/deploy'): ExportInput {
  return toExportInput(definitions, routes, { outDir, envFileValues: () => ({}) });
}

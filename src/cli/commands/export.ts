import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseDotenv } from '../../config/dotenv.js';
import { ApictlError } from '../../errors.js';
import { toExportInput } from '../../export/from-definitions.js';
import { loadServicesFile, type LoadedServices } from '../../export/load-services-file.js';
import { RENDERERS } from '../../export/render.js';
import { EXPORT_TARGETS, type ExportFile, type ExportTarget } from '../../export/types.js';
import { writeFileAtomic } from '../../state/atomic-write.js';
import { closest } from '../suggest.js';
import { withDaemon } from '../session.js';

interface ExportOptions {
  out?: string;
  strict?: boolean;
}

function checkTarget(target: string): ExportTarget {
  if ((EXPORT_TARGETS as readonly string[]).includes(target)) return target as ExportTarget;
  const suggestion = closest(target, [...EXPORT_TARGETS]);
  throw new ApictlError('APICTL_USAGE', `unknown export target '${target}'`, {
    hint: `${suggestion ? `did you mean '${suggestion}'? ` : ''}targets: ${EXPORT_TARGETS.join(', ')}`,
  });
}

/** The running set: each service's definition and the open routes, as the daemon holds them. */
async function loadRunning(): Promise<LoadedServices> {
  try {
    const [services, routes] = await withDaemon((client) => Promise.all([client.call('list', {}), client.call('routes', {})]), false);
    if (services.length === 0) throw new ApictlError('APICTL_USAGE', 'no services are registered: nothing to export', { hint: 'give a services file: apictl export <target> services.json' });
    return { definitions: services.map((service) => service.definition), routes, warnings: [] };
  } catch (error) {
    if (error instanceof ApictlError && error.code === 'APICTL_NO_DAEMON') {
      throw new ApictlError('APICTL_NO_DAEMON', `${error.message}, and no services file was given`, {
        hint: 'give a services file (apictl export <target> services.json), or start the services first',
      });
    }
    throw error;
  }
}

function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ApictlError('APICTL_NO_FILE', `cannot read envFile ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, {
      hint: 'the Kubernetes export copies its values into the ConfigMap/Secret, so it must be readable',
    });
  }
  const { values, badLines } = parseDotenv(text);
  if (badLines.length > 0) throw new ApictlError('APICTL_INVALID_CONFIG', `envFile ${path}: line ${badLines.join(', ')} is not KEY=VALUE`, { hint: 'fix the file and run the command again' });
  return values;
}

/** One file as it is; several each under a `# ==> path <==` line (a comment in every format exported). */
function printFiles(files: ExportFile[]): void {
  if (files.length === 1) return void process.stdout.write(files[0]!.content);
  process.stdout.write(files.map((file) => `# ==> ${file.path} <==\n${file.content}`).join('\n'));
}

async function writeFiles(outDir: string, files: ExportFile[]): Promise<void> {
  await mkdir(outDir, { recursive: true });
  for (const file of files) {
    // Secrets in clear: readable by the owner only.
    await writeFileAtomic(join(outDir, file.path), file.content, file.secret ? 0o600 : 0o644);
    process.stdout.write(`wrote ${join(outDir, file.path)}\n`);
  }
}

export async function run(target: string, file: string | undefined, options: ExportOptions): Promise<void> {
  const checked = checkTarget(target);
  const loaded = file ? await loadServicesFile(file) : await loadRunning();
  const outDir = resolve(options.out ?? process.cwd());
  const input = toExportInput(loaded.definitions, loaded.routes, { outDir, envFileValues: readEnvFile });
  const output = RENDERERS[checked](input);
  const warnings = [...loaded.warnings, ...output.warnings];
  if (warnings.length > 0) process.stderr.write(warnings.map((warning) => `warning: ${warning}\n`).join(''));
  if (options.strict && warnings.length > 0) {
    throw new ApictlError('APICTL_EXPORT_WARNINGS', `${warnings.length} warning${warnings.length === 1 ? '' : 's'} with --strict; nothing was written`, {
      hint: 'each warning says what to do instead; drop --strict to export anyway',
    });
  }
  if (options.out) await writeFiles(outDir, output.files);
  else printFiles(output.files);
}

import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import { ApictlError } from '../errors.js';
import type { ServicesFilePayload } from '../protocol/methods.js';
import { lineTable } from './file-lines.js';
import { SCRIPT_CONFIG } from './services-file-name.js';
import { appsFromDump } from './pm2/dump.js';
import { isObject, mapPm2Apps } from './pm2/map.js';

// Reads a services file in the CLI (never in the daemon: an ecosystem file is
// JavaScript, and the daemon runs no user code): .json, .yaml/.yml, pm2
// ecosystem files (ecosystem.config.js/.cjs/.mjs, or JSON with `apps`) and
// pm2's dump.pm2. The result is the raw object the daemon validates.

export interface ReadFile {
  payload: ServicesFilePayload;
  /** pm2 fields left behind, each saying what apictl does instead. */
  warnings: string[];
  format: 'apictl' | 'pm2';
}


export async function readServicesFile(path: string, options: { envProfile?: string } = {}): Promise<ReadFile> {
  const absolute = resolve(path);
  const parsed = SCRIPT_CONFIG.test(absolute) ? { value: await loadScriptConfig(absolute, path), lines: undefined } : parseText(await readText(absolute, path), absolute, path);
  return interpret(parsed.value, parsed.lines, path, dirname(absolute), options.envProfile);
}

async function readText(absolute: string, shown: string): Promise<string> {
  try {
    return await readFile(absolute, 'utf8');
  } catch (error) {
    throw new ApictlError('APICTL_NO_FILE', `cannot read ${shown}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function parseText(text: string, absolute: string, shown: string): { value: unknown; lines?: Record<string, number> } {
  const yaml = ['.yaml', '.yml'].includes(extname(absolute).toLowerCase());
  return yaml ? parseYaml(text, shown) : parseJson(text, shown);
}

function invalid(shown: string, what: string, where: { line: number; col: number } | null, detail: string): ApictlError {
  const at = where ? `line ${where.line}, column ${where.col}: ` : '';
  return new ApictlError('APICTL_INVALID_CONFIG', `${shown}: not valid ${what}: ${at}${detail}`, { hint: 'fix the file and run the command again' });
}

function parseJson(text: string, shown: string): { value: unknown; lines?: Record<string, number> } {
  try {
    return { value: JSON.parse(text), lines: safeLines(text) };
  } catch (error) {
    const message = (error as Error).message;
    const position = /end of JSON input/.test(message) ? text.trimEnd().length : Number(/position (\d+)/.exec(message)?.[1]);
    const before = Number.isFinite(position) ? text.slice(0, position).split('\n') : null;
    const where = before ? { line: before.length, col: before.at(-1)!.length + 1 } : null;
    throw invalid(shown, 'JSON', where, message.replace(/ in JSON at position \d+.*$/, '').replace(/^Unexpected/, 'unexpected'));
  }
}

function parseYaml(text: string, shown: string): { value: unknown; lines?: Record<string, number> } {
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const first = document.errors[0];
  if (first) {
    const where = counter.linePos(first.pos[0]);
    throw invalid(shown, 'YAML', where, first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''));
  }
  return { value: document.toJS(), lines: safeLines(text) };
}

function safeLines(text: string): Record<string, number> | undefined {
  try {
    return lineTable(text);
  } catch {
    return undefined; // positions are a courtesy; the value was parsed already
  }
}

async function loadScriptConfig(absolute: string, shown: string): Promise<unknown> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(absolute)) throw new ApictlError('APICTL_NO_FILE', `cannot read ${shown}: ENOENT`);
    throw new ApictlError('APICTL_INVALID_CONFIG', `${shown}: loading it failed: ${(error as Error).message}`, { hint: 'run it with node to see the error' });
  }
  const exported = module.default ?? module;
  // pm2 lets an ecosystem file export a function that returns the config.
  return typeof exported === 'function' ? await (exported as () => unknown)() : exported;
}

function interpret(value: unknown, lines: Record<string, number> | undefined, shown: string, baseDir: string, envProfile?: string): ReadFile {
  const notServices = () =>
    new ApictlError('APICTL_NOT_A_SERVICES_FILE', `${shown} is not a services file: it has neither "services" (apictl) nor "apps" (pm2)`, {
      hint: 'a services file looks like {"services": [{"script": "app.py"}]}; to run a script, start the script itself',
    });
  const cpuCount = availableParallelism();
  if (basename(shown) === 'dump.pm2' || (Array.isArray(value) && value.every((item) => isObject(item) && 'pm_exec_path' in item))) {
    if (!Array.isArray(value)) throw notServices();
    const dump = appsFromDump(value, process.env);
    const mapped = mapPm2Apps(dump.apps, { envProfile, cpuCount });
    return { payload: { raw: { services: mapped.services }, source: shown, baseDir }, warnings: [...dump.warnings, ...mapped.warnings], format: 'pm2' };
  }
  if (!isObject(value)) throw notServices();
  if ('services' in value) {
    if (envProfile) throw new ApictlError('APICTL_USAGE', '--env-profile applies to pm2 ecosystem files (env_<profile>); this is an apictl services file');
    return { payload: { raw: value, source: shown, baseDir, lines }, warnings: [], format: 'apictl' };
  }
  if (!Array.isArray(value.apps)) throw notServices();
  const { apps, ...rest } = value;
  const mapped = mapPm2Apps(apps, { envProfile, cpuCount });
  const ignored = Object.keys(rest).map((key) => `${key}: left out (apictl reads only "apps" from an ecosystem file)`);
  return { payload: { raw: { services: mapped.services }, source: shown, baseDir }, warnings: [...mapped.warnings, ...ignored], format: 'pm2' };
}

import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { diskProbe } from '../config/file-probe.js';
import { DEFAULT_PORT_BASE, nextCandidatePort } from '../config/ports.js';
import { validateServicesFile, type ServiceDraft } from '../config/validate.js';
import { ApictlError } from '../errors.js';
import type { RouteTable, ServiceDefinition } from '../types.js';

export interface LoadedServices {
  definitions: ServiceDefinition[];
  routes: RouteTable[];
  warnings: string[];
}

async function readRaw(file: string): Promise<unknown> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    throw new ApictlError('APICTL_NO_FILE', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, {
      hint: 'give the path of a services file (.json, .yaml), or no file to export the running services',
    });
  }
  const yaml = /^\.ya?ml$/i.test(extname(file));
  try {
    return yaml ? parseYaml(content) : JSON.parse(content);
  } catch (error) {
    throw new ApictlError('APICTL_INVALID_CONFIG', `${file}: not valid ${yaml ? 'YAML' : 'JSON'} (${(error as Error).message.split('\n')[0]})`, {
      hint: 'fix the file and run the command again',
    });
  }
}

/**
 * Pure: a port for every "auto" draft, as the daemon picks it on a machine
 * where nothing else listens: the first from the base the file does not use.
 */
export function fixPorts(drafts: ServiceDraft[], routes: RouteTable | undefined, portBase: number): { definitions: ServiceDefinition[]; warnings: string[] } {
  const claimed = new Set<number>([...drafts.flatMap((draft) => (typeof draft.port === 'number' ? [draft.port] : [])), ...(routes ? [routes.port] : [])]);
  const warnings: string[] = [];
  const definitions = drafts.map((draft): ServiceDefinition => {
    if (draft.port !== 'auto') return { ...draft, port: draft.port };
    const port = nextCandidatePort(portBase, claimed);
    if (port === null) throw new ApictlError('APICTL_CONFLICT', `${draft.name}: no free port from ${portBase} up`);
    claimed.add(port);
    warnings.push(`${draft.name}: port: not set, so exported as ${port} (apictl would take the first free port from ${portBase}); set "port" in the file to be sure`);
    return { ...draft, port };
  });
  return { definitions, warnings };
}

/** Reads and validates a services file the way `apictl start file` does; nothing is started. */
export async function loadServicesFile(path: string, portBase = Number(process.env.APICTL_PORT_BASE) || DEFAULT_PORT_BASE): Promise<LoadedServices> {
  const file = resolve(path);
  const validation = validateServicesFile(await readRaw(file), dirname(file), diskProbe);
  if (!validation.ok) {
    throw new ApictlError(
      'APICTL_INVALID_CONFIG',
      validation.issues.length === 1 ? `${file}: ${validation.issues[0]}` : `${file}: ${validation.issues.length} problems; nothing was exported`,
      { details: { issues: validation.issues }, hint: 'fix the file and run the command again' },
    );
  }
  const { definitions, warnings } = fixPorts(validation.drafts, validation.routes, portBase);
  return { definitions, routes: validation.routes ? [validation.routes] : [], warnings };
}

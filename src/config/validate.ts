import type { RouteTable } from '../types.js';
import { defaultName, toDraft, type FileProbe, type ServiceDraft } from './draft.js';
import { formatIssue, fromZodIssues, type FieldIssue, type IssuePath, type LineOf } from './issues.js';
import { serviceSchema, servicesFileShellSchema, type ParsedService } from './schema.js';

export type { FileProbe, ServiceDraft } from './draft.js';
export { defaultName } from './draft.js';

export type Validation = { ok: true; drafts: ServiceDraft[]; routes?: RouteTable } | { ok: false; issues: string[] };

interface Parsed {
  index: number;
  service: ParsedService;
}

/** A whole services file: every problem at once, each with its field path (and line, given `lineOf`). */
export function validateServicesFile(raw: unknown, baseDir: string, probe: FileProbe, lineOf?: LineOf): Validation {
  const top = servicesFileShellSchema.safeParse(raw);
  if (!top.success) return { ok: false, issues: fromZodIssues(top.error.issues, raw).map((issue) => formatIssue(issue, lineOf)) };
  // Each service on its own, so a bad port in one does not hide a missing script in another.
  const issues: FieldIssue[] = [];
  const parsed: Parsed[] = [];
  top.data.services.forEach((item, index) => {
    const result = serviceSchema.safeParse(item);
    if (result.success) parsed.push({ index, service: result.data });
    else issues.push(...fromZodIssues(result.error.issues, raw, ['services', index]));
  });
  const finished = finishDrafts(parsed, baseDir, probe, (index) => ['services', index]);
  issues.push(...finished.issues);
  const routes = top.data.routes;
  if (routes) issues.push(...checkRoutes(routes, parsed));
  if (issues.length > 0) return { ok: false, issues: issues.map((issue) => formatIssue(issue, lineOf)) };
  return routes ? { ok: true, drafts: finished.drafts, routes } : { ok: true, drafts: finished.drafts };
}

/** One service from CLI flags; `baseDir` is the CLI's working directory. */
export function validateService(raw: unknown, baseDir: string, probe: FileProbe): Validation {
  const parsed = serviceSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, issues: fromZodIssues(parsed.error.issues, raw).map((issue) => formatIssue(issue)) };
  const finished = finishDrafts([{ index: 0, service: parsed.data }], baseDir, probe, () => []);
  if (finished.issues.length > 0) return { ok: false, issues: finished.issues.map((issue) => formatIssue(issue)) };
  return { ok: true, drafts: finished.drafts };
}

function finishDrafts(services: Parsed[], baseDir: string, probe: FileProbe, pathOf: (index: number) => IssuePath) {
  const issues: FieldIssue[] = [];
  const drafts: ServiceDraft[] = [];
  const firstByName = new Map<string, number>();
  const firstByPort = new Map<number, number>();
  const owner = (index: number) => `${pathOf(index)[0] as string}[${index}]`;
  services.forEach(({ index, service }) => {
    const at = (key: string, message: string) => issues.push({ path: [...pathOf(index), key], message });
    // Clashes are checked even when the entry has other problems: every issue at once.
    const name = service.name ?? defaultName(service.script);
    const sameName = firstByName.get(name);
    if (sameName !== undefined) at('name', `"${name}" is already used by ${owner(sameName)}`);
    else firstByName.set(name, index);
    if (typeof service.port === 'number') {
      const samePort = firstByPort.get(service.port);
      if (samePort !== undefined) at('port', `${service.port} is already used by ${owner(samePort)}`);
      else firstByPort.set(service.port, index);
    }
    const draft = toDraft(service, baseDir, probe, at);
    if (draft) drafts.push(draft);
  });
  return { issues, drafts };
}

/** Routes must point at services of the same file, on a port none of them uses. */
function checkRoutes(routes: RouteTable, services: Parsed[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const names = new Set(services.map(({ service }) => service.name ?? defaultName(service.script)));
  for (const [prefix, name] of Object.entries(routes.paths)) {
    if (!names.has(name)) issues.push({ path: ['routes', 'paths', prefix], message: `no service named "${name}" in this file` });
  }
  for (const { index, service } of services) {
    if (service.port === routes.port) issues.push({ path: ['routes', 'port'], message: `${routes.port} is also the port of services[${index}]` });
  }
  return issues;
}

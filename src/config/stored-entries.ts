import type { RouteTable, ServiceDefinition } from '../types.js';
import { asStoredEntry } from './definition-entry.js';
import { routesSchema } from './schema.js';
import { validateServicesFile, type FileProbe, type ServiceDraft } from './validate.js';

// Reading what apictl stored (state.json, dump.json, a process's definition
// marker) back through the services-file schema. It loads zod: import it
// only when there is something to read.

/** A stored routes table, checked by the services-file schema; null when it is not one. */
export function parseRouteTable(value: unknown): RouteTable | null {
  const parsed = routesSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** Stored definitions name files that may be gone by now: the service is still known, its start will say. */
const TRUSTING_PROBE: FileProbe = { isFile: () => true, which: (command) => command };

/**
 * Checks stored entries (each `{...}` in services-file form, paths absolute)
 * one by one: the good ones come back as definitions, every bad one as an
 * issue naming its index. An entry with `port: "auto"` is not stored form.
 */
export function definitionsFromEntries(entries: unknown[], where: string): { definitions: ServiceDefinition[]; issues: string[] } {
  const definitions: ServiceDefinition[] = [];
  const issues: string[] = [];
  entries.forEach((entry, index) => {
    const checked = validateServicesFile({ services: [asStoredEntry(entry)] }, '/', TRUSTING_PROBE);
    if (!checked.ok) {
      issues.push(...checked.issues.map((issue) => `${where}[${index}]${issue.replace(/^services\[0\]/, '')}`));
      return;
    }
    const draft: ServiceDraft = checked.drafts[0]!;
    if (draft.port === 'auto') {
      issues.push(`${where}[${index}].port: missing (a stored service always has its port, or false)`);
      return;
    }
    definitions.push({ ...draft, port: draft.port });
  });
  return { definitions, issues };
}

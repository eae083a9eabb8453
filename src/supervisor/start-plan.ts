import type { ServiceDefinition } from '../types.js';
import type { ServiceDraft } from '../config/validate.js';

export type PlanStep =
  | { kind: 'create'; draft: ServiceDraft }
  | { kind: 'existing'; name: string };

/** Pure: a draft matches a registered definition when all but an unspecified port agree. */
export function isSameDefinition(existing: ServiceDefinition, draft: ServiceDraft): boolean {
  const port = draft.port === 'auto' ? existing.port : draft.port;
  return JSON.stringify(normalise(existing)) === JSON.stringify(normalise({ ...draft, port }));
}

/** Keys in code-point order: localeCompare would load ICU's collation data (~2.7 MB resident) into the daemon for good. */
function normalise(definition: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(definition)
      .filter(([, value]) => value !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/**
 * Pure: what starting these drafts means against what is registered. Every
 * conflict is reported at once; a plan with issues starts nothing.
 */
export function planStart(
  drafts: ServiceDraft[],
  registered: ReadonlyMap<string, ServiceDefinition>,
): { steps: PlanStep[]; issues: string[] } {
  const steps: PlanStep[] = [];
  const issues: string[] = [];
  const portOwners = new Map<number, string>();
  for (const definition of registered.values()) if (definition.port !== null) portOwners.set(definition.port, definition.name);
  for (const draft of drafts) {
    const existing = registered.get(draft.name);
    if (existing) {
      if (isSameDefinition(existing, draft)) steps.push({ kind: 'existing', name: draft.name });
      else issues.push(`${draft.name}: a service with this name exists with a different definition (delete it first or pick another name)`);
      continue;
    }
    if (typeof draft.port === 'number') {
      const owner = portOwners.get(draft.port);
      if (owner) issues.push(`${draft.name}: port ${draft.port} belongs to service "${owner}"`);
    }
    steps.push({ kind: 'create', draft });
  }
  return { steps, issues };
}

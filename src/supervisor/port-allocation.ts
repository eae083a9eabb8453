import { ApictlError } from '../errors.js';
import { DEFAULT_PORT_BASE, findFreePort, isPortFree } from '../config/ports.js';
import { findPortHolder } from '../process/port-holder.js';
import type { ServiceDefinition } from '../types.js';
import type { PlanStep } from './start-plan.js';

/**
 * Fixes the port of every service a plan creates: "auto" gets the first free
 * port from the base (skipping ports registered services own, even stopped
 * ones); an explicit port must be free right now. Throws, listing every
 * problem, when any port cannot be had: nothing is registered then.
 */
export async function allocatePorts(
  steps: PlanStep[],
  registered: Iterable<ServiceDefinition>,
  planIssues: string[],
  portBase = DEFAULT_PORT_BASE,
): Promise<Map<string, number | null>> {
  const inUse: string[] = [];
  const other = [...planIssues];
  const claimed = new Set([...registered].flatMap((definition) => (definition.port === null ? [] : [definition.port])));
  const ports = new Map<string, number | null>();
  for (const step of steps) {
    if (step.kind !== 'create') continue;
    const { draft } = step;
    if (draft.port === 'auto') {
      const port = await findFreePort(portBase, claimed);
      if (port === null) other.push(`${draft.name}: no free port from ${portBase} up`);
      else claimed.add(port);
      ports.set(draft.name, port);
      continue;
    }
    // A port another service owns was already reported by the plan.
    if (draft.port !== null && !claimed.has(draft.port) && !(await isPortFree(draft.port))) {
      const holder = findPortHolder(draft.port);
      inUse.push(`${draft.name}: port ${draft.port} is already in use${holder ? ` by pid ${holder}` : ''}`);
    }
    if (draft.port !== null) claimed.add(draft.port);
    ports.set(draft.name, draft.port);
  }
  const issues = [...other, ...inUse];
  if (issues.length > 0) {
    throw new ApictlError(inUse.length > 0 ? 'APICTL_PORT_IN_USE' : 'APICTL_CONFLICT', issues.length === 1 ? issues[0]! : `${issues.length} problems; nothing was started`, {
      hint: inUse.length > 0 ? 'stop whatever holds the port, or choose another with --port / "port"' : 'apictl list shows what is registered',
      details: { issues },
    });
  }
  return ports;
}

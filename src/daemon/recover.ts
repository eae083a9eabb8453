import type { Logger } from 'pino';
import { DEFAULT_KILL_TIMEOUT_MS } from '../config/defaults.js';
import { chooseInterpreter, defaultStopSignal } from '../process/interpreter.js';
import { stopStrays } from '../process/kill.js';
import { bootTimeMs, isSameProcess, listGroupMembers, readEnviron, readProcStat, ticksToMs } from '../process/proc.js';
import { DEFINITION_MARKER, findMarkedProcesses, parseEnviron } from '../process/supervised-marker.js';
import type { HomePaths } from '../state/paths.js';
import { loadStateFile, moveAside } from '../state/state-file.js';
import { withChecks, type Checks } from './checks-loader.js';
import type { ServiceRecord } from '../state/store.js';
import type { InstanceRecord } from '../supervisor/instance.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { ServiceDefinition } from '../types.js';

/**
 * What a new daemon does with what the last one left: every process listed in
 * state.json that is still the same process is adopted (same pid, port, counts,
 * uptime); a service state.json lost is rebuilt from what its processes carry;
 * every other process the old daemon started is stopped, so no port stays held
 * by something apictl no longer knows; then what is missing starts afresh.
 */
export async function recover(paths: HomePaths, supervisor: Supervisor, logger: Logger): Promise<{ rest: Promise<void> }> {
  const loaded = await loadStateFile(paths.state, (services, tables) => withChecks((checks) => checks.readStateRecords(services, tables)));
  if (loaded && loaded.problems.length > 0) {
    const movedTo = moveAside(paths.state);
    logger.error({ problems: loaded.problems.slice(0, 20), movedTo }, `state.json had ${loaded.problems.length} problem(s): moved aside; recovering what it and the running processes tell`);
  }
  const marked = findMarkedProcesses(paths.home);
  const records = [...(loaded?.records ?? [])];
  records.push(...(await recordsFromProcesses(records, marked, logger)));
  const definitions = records.map((record) => record.definition);
  let stopped = 0;
  const { adopted, rest } = await supervisor.takeOver(records, async (adoptedIds) => {
    // Everything the old daemon started that nothing adopted: marked processes, and recorded
    // ones whose environment no longer shows the marker (a process may rewrite it).
    const recorded = records.flatMap((record) => record.instances.flatMap((instance) => (instance.run ? [{ ...instance.run, service: record.definition.name }] : [])));
    const leftovers = [
      ...marked.filter((found) => !found.spawnId || !adoptedIds.has(found.spawnId)),
      ...recorded.filter((run) => !adoptedIds.has(run.spawnId) && isSameProcess(run.pid, run.startTime) && !marked.some((found) => found.pid === run.pid)),
    ];
    stopped = leftovers.length;
    await stopLeftovers(leftovers, definitions, logger);
  });
  return {
    rest: (async () => {
      await rest;
      for (const table of loaded?.routes ?? []) {
        await supervisor.addRoutes(table).catch((error: Error) => logger.error({ port: table.port, err: error }, 'could not reopen routes'));
      }
      await supervisor.sweepRunDir();
      if (records.length > 0 || stopped > 0) logger.info({ services: records.length, adopted, leftoversStopped: stopped }, 'recovered what the previous daemon ran');
    })(),
  };
}

/**
 * Services state.json does not list (lost, or never written before the old
 * daemon died), rebuilt from the definition their main processes carry.
 */
async function recordsFromProcesses(known: ServiceRecord[], marked: Marked, logger: Logger): Promise<ServiceRecord[]> {
  const names = new Set(known.map((record) => record.definition.name));
  const lost = marked.filter((found) => found.service && found.spawnId && !names.has(found.service));
  if (lost.length === 0) return [];
  // The schema (zod) is loaded only when there is a carried definition to read back.
  return withChecks((checks) => rebuild(lost, checks.definitionsFromEntries, logger));
}

type Marked = Array<{ pid: number; service: string | null; spawnId: string | null }>;

function rebuild(lost: Marked, definitionsFromEntries: Checks['definitionsFromEntries'], logger: Logger): ServiceRecord[] {
  const built = new Map<string, ServiceRecord>();
  for (const found of lost) {
    if (!found.service || !found.spawnId) continue;
    const stat = readProcStat(found.pid);
    // The main process of a run leads its group; its children and strays are not instances.
    if (!stat || stat.pgrp !== found.pid) continue;
    const env = parseEnviron(readEnviron(found.pid) ?? '');
    const definition = definitionFromEnv(env, found.service, definitionsFromEntries);
    if (!definition) continue;
    const record = built.get(definition.name) ?? { definition, desired: 'running' as const, instances: [] as InstanceRecord[] };
    const index = Number(env.APICTL_INSTANCE);
    if (!Number.isInteger(index) || record.instances.some((instance) => instance.index === index)) continue;
    record.instances.push({
      index,
      port: env.PORT ? Number(env.PORT) : null,
      status: 'starting',
      restarts: 0,
      streak: 0,
      run: { spawnId: found.spawnId, pid: found.pid, startTime: stat.startTime, startedAt: bootTimeMs() + ticksToMs(stat.startTime) },
    });
    built.set(definition.name, record);
  }
  if (built.size > 0) logger.warn({ services: [...built.keys()] }, 'rebuilt services from their running processes (state.json did not list them)');
  return [...built.values()];
}

function definitionFromEnv(env: Record<string, string>, name: string, fromEntries: Checks['definitionsFromEntries']): ServiceDefinition | null {
  try {
    const carried = JSON.parse(env[DEFINITION_MARKER] ?? 'null') as (Record<string, unknown> & { envKeys?: string[] }) | null;
    if (!carried || carried.name !== name) return null;
    const { envKeys = [], ...entry } = carried;
    entry.env = Object.fromEntries(envKeys.filter((key) => env[key] !== undefined).map((key) => [key, env[key]!]));
    return fromEntries([entry], 'process').definitions[0] ?? null;
  } catch {
    return null;
  }
}

/** Stops processes of the old daemon nothing accounts for, each group with its service's stop signal and timeout. */
async function stopLeftovers(leftovers: Array<{ pid: number; service: string | null }>, definitions: ServiceDefinition[], logger: Logger): Promise<void> {
  const byName = new Map(definitions.map((definition) => [definition.name, definition]));
  const groups = new Map<number, string | null>();
  for (const found of leftovers) {
    const pgrp = readProcStat(found.pid)?.pgrp ?? found.pid;
    if (!groups.has(pgrp) || groups.get(pgrp) === null) groups.set(pgrp, found.service);
  }
  await Promise.all(
    [...groups].map(async ([pgrp, service]) => {
      const definition = service ? byName.get(service) : undefined;
      const signal = (definition?.stopSignal ?? (definition ? defaultStopSignal(chooseInterpreter(definition.script, definition.interpreter)) : 'SIGTERM')) as NodeJS.Signals;
      logger.warn({ service, pgrp }, 'stopping a process the previous daemon left and nothing accounts for');
      await stopStrays([pgrp], signal, definition?.killTimeoutMs ?? DEFAULT_KILL_TIMEOUT_MS, () => listGroupMembers(pgrp).length > 0);
    }),
  );
  // A leftover outside those groups (it left its group) goes the same way.
  const rest = leftovers.map((found) => found.pid).filter((pid) => readProcStat(pid) !== null);
  await stopStrays(rest, 'SIGTERM', DEFAULT_KILL_TIMEOUT_MS, (pid) => readProcStat(pid) !== null);
}


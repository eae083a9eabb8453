import type { Logger } from 'pino';
import { defaultStopSignal, chooseInterpreter } from '../process/interpreter.js';
import { readProcStat, stopForeignGroup } from '../process/kill.js';
import { findMarkedProcesses } from '../process/supervised-marker.js';
import { DEFAULT_KILL_TIMEOUT_MS } from '../config/schema.js';
import type { ServiceDefinition } from '../types.js';
import type { StateFile } from '../state/store.js';
import type { Supervisor } from '../supervisor/supervisor.js';

/**
 * Stops every process a previous daemon for this home left behind, found by
 * the marker in their environment (so even a child spawned a moment before
 * the old daemon died, and not yet in state.json, is found); their ports
 * become free. Each group gets its service's stop signal and kill timeout.
 */
export async function stopLeftovers(home: string, definitions: ServiceDefinition[], logger: Logger): Promise<void> {
  const byName = new Map(definitions.map((definition) => [definition.name, definition]));
  const groups = new Map<number, string | null>();
  for (const found of findMarkedProcesses(home)) {
    const pgrp = readProcStat(found.pid)?.pgrp ?? found.pid;
    if (!groups.has(pgrp) || groups.get(pgrp) === null) groups.set(pgrp, found.service);
  }
  await Promise.all(
    [...groups].map(async ([pgrp, service]) => {
      const definition = service ? byName.get(service) : undefined;
      const signal = (definition?.stopSignal ??
        (definition ? defaultStopSignal(chooseInterpreter(definition.script, definition.interpreter)) : 'SIGTERM')) as NodeJS.Signals;
      logger.warn({ service, pgrp }, 'stopping a process left by a previous daemon');
      await stopForeignGroup(pgrp, signal, definition?.killTimeoutMs ?? DEFAULT_KILL_TIMEOUT_MS);
    }),
  );
}

/**
 * After a daemon died (even by SIGKILL): stop what it left, then bring back
 * what was running, restart counts and ports included.
 */
export async function recoverFromState(home: string, state: StateFile | null, supervisor: Supervisor, logger: Logger): Promise<void> {
  const records = state && Array.isArray(state.services) ? state.services : [];
  await stopLeftovers(home, records.map((record) => record.definition), logger);
  const running = records.filter((record) => record.desired === 'running');
  for (const record of records) if (record.desired !== 'running') supervisor.adoptStopped(record.definition);
  // One at a time, so a service whose port was taken meanwhile does not hold back the others.
  for (const record of running) {
    const restarts = new Map([[record.definition.name, record.instances.map((instance) => instance.restarts)]]);
    try {
      await supervisor.start([record.definition], null, restarts);
      logger.info({ service: record.definition.name }, 'recovered from state.json');
    } catch (error) {
      logger.error({ service: record.definition.name, err: error }, 'could not recover service');
      supervisor.adoptStopped(record.definition);
    }
  }
  for (const table of state?.routes ?? []) {
    await supervisor.addRoutes(table).catch((error: Error) => logger.error({ port: table.port, err: error }, 'could not reopen routes'));
  }
}

import type { Logger } from 'pino';
import { defaultStopSignal, chooseInterpreter } from '../process/interpreter.js';
import { readProcStat, stopForeignGroup } from '../process/kill.js';
import type { StateFile } from '../state/store.js';
import type { Supervisor } from '../supervisor/supervisor.js';

/**
 * After a daemon died (even by SIGKILL): stop every process it left behind
 * (recorded pid plus process start time, so a reused pid is never touched),
 * which frees their ports, then bring back what was running, restart counts
 * and ports included.
 */
export async function recoverFromState(state: StateFile | null, supervisor: Supervisor, logger: Logger): Promise<void> {
  if (!state || !Array.isArray(state.services)) return;
  await Promise.all(
    state.services.flatMap((record) =>
      record.instances.map(async (instance) => {
        if (instance.pid === null || instance.startTime === null) return;
        const stat = readProcStat(instance.pid);
        if (!stat || stat.startTime !== instance.startTime) return;
        const definition = record.definition;
        const signal = (definition.stopSignal ?? defaultStopSignal(chooseInterpreter(definition.script, definition.interpreter))) as NodeJS.Signals;
        logger.warn({ service: definition.name, pid: instance.pid }, 'stopping a process left by the previous daemon');
        await stopForeignGroup(instance.pid, signal, definition.killTimeoutMs);
      }),
    ),
  );
  const running = state.services.filter((record) => record.desired === 'running');
  for (const record of state.services) if (record.desired !== 'running') supervisor.adoptStopped(record.definition);
  if (running.length === 0) return;
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
}

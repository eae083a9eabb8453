import type { Logger } from 'pino';
import type { ServiceRecord } from '../state/store.js';
import type { Service } from './service.js';

export interface TakeoverHost {
  known(name: string): boolean;
  /** Registers the service a record describes, with its desired state. */
  register(record: ServiceRecord): Service;
  persist(): void;
  logger: Logger;
}

/**
 * Takes over what a previous daemon ran. Every live process is adopted
 * first; `stopLeftovers` then gets the spawn ids adopted, to stop every
 * other process the old daemon started (no port stays held); then the slots
 * left start — in `rest`.
 */
export async function takeOver(host: TakeoverHost, records: ServiceRecord[], stopLeftovers: (adopted: Set<string>) => Promise<void>): Promise<{ adopted: number; rest: Promise<void> }> {
  const adopted = new Set<string>();
  const running: Service[] = [];
  for (const record of records) {
    const { name } = record.definition;
    if (host.known(name)) continue;
    const service = host.register(record);
    // A pinned count (`apictl scale`) outlives the daemon; the momentary automatic count does not.
    if (service.scaler && record.scale) service.scaler.pinned = record.scale.pinned;
    // Stopped by its user: it stays stopped, with its counts.
    if (record.desired !== 'running') {
      service.restoreStopped(record.instances);
      continue;
    }
    try {
      for (const id of await service.adoptRunning(record.instances)) adopted.add(id);
      running.push(service);
    } catch (error) {
      host.logger.error({ service: name, err: error }, 'could not take the service over');
    }
  }
  host.persist();
  const rest = (async () => {
    await stopLeftovers(adopted);
    for (const service of running) await service.startUnadopted().catch((error: Error) => host.logger.error({ service: service.name, err: error }, 'could not restart the service'));
    host.persist();
  })();
  return { adopted: adopted.size, rest };
}

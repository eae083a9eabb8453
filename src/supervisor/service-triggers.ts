import type { ServiceDefinition } from '../types.js';
import { scheduleCron } from './cron-schedule.js';
import { watchPaths } from './watch.js';

export interface TriggerHandlers {
  fileChanged(path: string): void;
  /** watchError is set before this is called. */
  watchFailed(error: Error): void;
  scheduled(pattern: string): void;
  /** croner could not be loaded (the pattern itself was checked when the file was). */
  scheduleFailed(error: Error): void;
}

/** What restarts a service besides a crash: a watched file changing, a cron schedule. */
export class ServiceTriggers {
  private watcher: { close(): Promise<void> } | null = null;
  private schedule: { stop(): void } | null = null;
  /** The file watcher's last error, for `show`. */
  watchError: string | null = null;

  /** Starts what the definition asks for and is not running yet. */
  start(definition: ServiceDefinition, handlers: TriggerHandlers): void {
    const { watch, ignore, cwd, cronRestart } = definition;
    if (!this.watcher && watch && watch.length > 0) {
      this.watcher = watchPaths(watch, ignore ?? [], cwd, handlers.fileChanged, (error) => {
        this.watchError = `watch: ${error.message}`;
        handlers.watchFailed(error);
      });
    }
    if (!this.schedule && cronRestart) this.schedule = scheduleCron(cronRestart, () => handlers.scheduled(cronRestart), handlers.scheduleFailed);
  }

  async close(): Promise<void> {
    await this.watcher?.close();
    this.watcher = null;
    this.schedule?.stop();
    this.schedule = null;
  }
}

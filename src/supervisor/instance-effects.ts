import { isPortFree } from '../config/ports.js';
import { findPortHolder } from '../process/port-holder.js';
import { watchHealth } from './health.js';
import type { InstanceEffects } from './instance.js';
import type { Launcher } from './launcher.js';
import { waitForReady } from './readiness.js';

/** The real world for an instance: processes through its service's launcher, ports, probes, clocks. */
export function createInstanceEffects(launcher: Launcher): InstanceEffects {
  return {
    launch: (index, port) => launcher.launch(index, port),
    stopRun: (run, signal, killTimeoutMs) => launcher.stopRun(run, signal, killTimeoutMs),
    endRun: (run) => launcher.endRun(run),
    isPortFree,
    portHolder: (port) => {
      const holder = findPortHolder(port);
      return holder ? ` by pid ${holder}` : '';
    },
    waitForReady: (port, health, signal) => waitForReady({ port, healthPath: health?.path, healthTimeoutMs: health?.timeoutMs }, signal),
    watchHealth,
    now: Date.now,
    setTimer: (callback, ms) => setTimeout(callback, ms),
  };
}

/**
 * Calls `onTick` on the cron pattern's schedule until stopped. croner is loaded
 * with the first scheduled service: a daemon without `cronRestart` never loads it.
 * The pattern was checked when the definition was validated.
 */
export function scheduleCron(pattern: string, onTick: () => void, onError: (error: Error) => void): { stop(): void } {
  let stopped = false;
  const starting = import('croner').then(({ Cron }) => (stopped ? null : new Cron(pattern, onTick)));
  starting.catch((error: unknown) => onError(error instanceof Error ? error : new Error(String(error))));
  return {
    stop: () => {
      stopped = true;
      void starting.then((cron) => cron?.stop(), () => undefined);
    },
  };
}

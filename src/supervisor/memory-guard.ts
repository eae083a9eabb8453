export interface GuardedInstance {
  status: string;
  memory: number | null;
}

const toMb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/**
 * Pure: why an instance must be restarted for its memory, or null. Only
 * online instances count: one that is starting or stopping is already on its
 * way to a fresh process.
 */
export function checkMemory(instance: GuardedInstance, limitBytes: number | undefined): string | null {
  if (!limitBytes || instance.status !== 'online' || instance.memory === null || instance.memory <= limitBytes) return null;
  return `memory ${toMb(instance.memory)} > ${toMb(limitBytes)}`;
}

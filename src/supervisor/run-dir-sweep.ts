import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** A run/ entry: <service>.<index>.<spawn id>.<out|err>, or its carry (and a carry being rewritten). */
const RUN_ENTRY = /^(.+)\.(\d+)\.([0-9a-f]{12})\.(?:out|err)(?:\.carry(?:\.new)?)?$/;

export interface RunDirSweep {
  runDir: string;
  /** Spawn ids of runs that are live or being launched: their entries stay. */
  live: Set<string>;
  /** Salvages a gone run's output into its service's log; null when no such service is registered. */
  salvage(service: string, index: number, spawnId: string): Promise<void> | null;
  fifosChanged(): void;
}

/** Removes what no live run uses from run/, salvaging the output of runs whose service is still registered. */
export async function sweepRunDir({ runDir, live, salvage, fifosChanged }: RunDirSweep): Promise<void> {
  let entries: string[];
  try {
    entries = readdirSync(runDir);
  } catch {
    return;
  }
  const orphans = new Map<string, { service: string; index: number }>();
  for (const entry of entries) {
    const match = RUN_ENTRY.exec(entry);
    if (match && live.has(match[3]!)) continue;
    if (match) orphans.set(match[3]!, { service: match[1]!, index: Number(match[2]) });
    else rmSync(join(runDir, entry), { force: true });
  }
  for (const [spawnId, { service, index }] of orphans) {
    const salvaged = salvage(service, index, spawnId);
    if (salvaged) await salvaged;
    else for (const entry of entries) if (entry.includes(`.${spawnId}.`)) rmSync(join(runDir, entry), { force: true });
  }
  if (orphans.size > 0) fifosChanged();
}

import { readFileSync } from 'node:fs';
import { parseSizeBytes } from '../config/units.js';

// The machine's memory, for the autoscaler's floor: MemAvailable (what the
// kernel can give without swapping) and MemTotal from /proc/meminfo.

export interface Meminfo {
  totalBytes: number;
  availableBytes: number;
}

/** The floor is this share of MemTotal, and never less than MEMORY_FLOOR_MIN_BYTES. */
export const MEMORY_FLOOR_SHARE = 0.05;
export const MEMORY_FLOOR_MIN_BYTES = 256 * 1024 ** 2;

/** Pure: MemTotal and MemAvailable of a /proc/meminfo text (kB); null when either is missing. */
export function parseMeminfo(text: string): Meminfo | null {
  const kb = (key: string) => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : null;
  };
  const totalBytes = kb('MemTotal');
  const availableBytes = kb('MemAvailable');
  return totalBytes === null || availableBytes === null ? null : { totalBytes, availableBytes };
}

/** Pure: the free-memory floor, `APICTL_SCALE_MEMORY_FLOOR` (a size) when set, else 5 % of MemTotal but at least 256 MiB. */
export function memoryFloorBytes(totalBytes: number, setting: string | undefined): number {
  const given = setting ? parseSizeBytes(setting) : null;
  return given ?? Math.max(MEMORY_FLOOR_MIN_BYTES, Math.round(totalBytes * MEMORY_FLOOR_SHARE));
}

/**
 * Reads /proc/meminfo — or, for tests only, the file `APICTL_TEST_MEMINFO`
 * names (same format), so a test can make memory scarce. null when unreadable.
 */
export function readMeminfo(env: NodeJS.ProcessEnv = process.env): Meminfo | null {
  try {
    return parseMeminfo(readFileSync(env.APICTL_TEST_MEMINFO || '/proc/meminfo', 'utf8'));
  } catch {
    return null;
  }
}

/** MemAvailable and the floor to hold it to (the autoscaler's reading); null when unknown. */
export function readFreeMemory(env: NodeJS.ProcessEnv = process.env): { availableBytes: number; floorBytes: number } | null {
  const memory = readMeminfo(env);
  return memory && { availableBytes: memory.availableBytes, floorBytes: memoryFloorBytes(memory.totalBytes, env.APICTL_SCALE_MEMORY_FLOOR) };
}

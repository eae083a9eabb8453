import { constants } from 'node:fs';
import { fsAsync } from './fs-async.js';
import type { RouteTable, ServiceDefinition } from '../types.js';
import type { InstanceRecord } from '../supervisor/instance.js';
import { ApictlError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';

export const STATE_VERSION = 2;

export interface ServiceRecord {
  definition: ServiceDefinition;
  /** What the user last asked for: a recovered daemon brings back only "running" ones. */
  desired: 'running' | 'stopped';
  instances: InstanceRecord[];
  /** A count pinned by `apictl scale` (the automatic count is not kept: it follows the load). */
  scale?: { pinned: number };
}

/** Reads a JSON file (never through a symlink); null when it does not exist. */
export async function readJsonFile<T>(path: string, what: string): Promise<T | null> {
  let text: string;
  try {
    const fd = await fsAsync.open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      text = await fsAsync.readFile(fd, 'utf8');
    } finally {
      await fsAsync.close(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ApictlError('APICTL_CORRUPT_FILE', `cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      hint: 'a symlink there is refused; move it aside',
    });
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new ApictlError('APICTL_CORRUPT_FILE', `${what} ${path} is not valid JSON (${(error as Error).message})`, {
      hint: `fix or move the file aside; apictl never overwrites it on its own`,
    });
  }
}

export function writeJsonFile(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n', 0o600);
}

/**
 * Serialises writes of one file: a change while a write is under way marks it
 * dirty, and one more write follows with the newest content (never torn, never stale).
 */
export class CoalescingWriter {
  private writing: Promise<void> | null = null;
  private dirty = false;
  private closed = false;

  constructor(private readonly path: string, private readonly render: () => unknown) {}

  schedule(): Promise<void> {
    this.dirty = true;
    this.writing ??= this.drain();
    return this.writing;
  }

  /** Writes exactly `value` once any write under way is done (a handover's last word); nothing is scheduled after it. */
  async write(value: unknown): Promise<void> {
    this.closed = true;
    this.dirty = false;
    await this.writing?.catch(() => undefined);
    await writeJsonFile(this.path, value);
  }

  private async drain(): Promise<void> {
    try {
      while (this.dirty && !this.closed) {
        this.dirty = false;
        await writeJsonFile(this.path, this.render());
      }
    } finally {
      this.writing = null;
    }
  }
}

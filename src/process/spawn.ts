import { execa, type ResultPromise } from 'execa';
import type { Readable } from 'node:stream';
import type { CommandSpec } from './interpreter.js';
import type { ExitInfo } from '../types.js';

export interface SpawnedProcess {
  pid: number;
  stdout: Readable;
  stderr: Readable;
  /** Resolves when the main process exits (not when its pipes close: a grandchild may hold them). */
  exited: Promise<ExitInfo>;
}

/**
 * Starts one instance: argv array (never a shell), own process group so a stop
 * reaches grandchildren, stdin closed, stdout/stderr piped to the log sink.
 * Rejects with the OS error (ENOENT, EACCES) when the program cannot start.
 */
export function spawnProcess(command: CommandSpec, options: { cwd: string; env: Record<string, string> }): Promise<SpawnedProcess> {
  const child: ResultPromise = execa(command.file, command.args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    detached: true,
    cleanup: false,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    forceKillAfterDelay: false,
  });
  // Settled through the events below; the result promise itself is not needed.
  child.catch(() => undefined);
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () => {
      child.off('error', reject);
      child.on('error', () => undefined);
      resolve({ pid: child.pid!, stdout: child.stdout!, stderr: child.stderr!, exited });
    });
  });
}

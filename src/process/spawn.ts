import type { execa as Execa } from 'execa';
import type { CommandSpec } from './interpreter.js';
import type { ExitInfo } from '../types.js';

let execa: typeof Execa | undefined;

export interface SpawnedChild {
  pid: number;
  /** Resolves when the main process exits (its output may still be in the pipes). */
  exited: Promise<ExitInfo>;
}

export interface SpawnOptions {
  cwd: string;
  env: Record<string, string>;
  /** Our descriptors for the child's stdout and stderr (FIFO ends); the child gets copies. */
  stdout: number;
  stderr: number;
}

/**
 * Starts one instance: argv array (never a shell), own process group so a stop
 * reaches grandchildren, stdin closed, stdout/stderr on the given descriptors.
 * Rejects with the OS error (ENOENT, EACCES) when the program cannot start.
 */
export async function spawnProcess(command: CommandSpec, options: SpawnOptions): Promise<SpawnedChild> {
  // Loaded with the first spawn: a daemon with no services never loads execa.
  execa ??= (await import('execa')).execa;
  const child = execa(command.file, command.args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    detached: true,
    cleanup: false,
    stdin: 'ignore',
    // execa takes any descriptor number at run time; its types list only 3–9.
    stdout: options.stdout as 3,
    stderr: options.stderr as 3,
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
      resolve({ pid: child.pid!, exited });
    });
  });
}

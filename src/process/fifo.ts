import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { promisify } from 'node:util';

const { O_RDONLY, O_RDWR, O_NONBLOCK, O_NOFOLLOW } = constants;

/**
 * Named pipes for a child's stdout/stderr. Node has no mkfifo(2), so coreutils'
 * mkfifo makes them (one call for all paths). A FIFO, unlike the socketpair
 * child_process would give, can be opened again by path: the next daemon
 * reopens it and reads on where the last one stopped.
 */
export async function makeFifos(paths: string[]): Promise<void> {
  // node:child_process is loaded with the first service (so is execa): a daemon with none does not keep it.
  const { execFile } = await import('node:child_process');
  await promisify(execFile)('mkfifo', ['-m', '600', ...paths]);
}

function openFifo(path: string, flags: number): number {
  const fd = openSync(path, flags | O_NOFOLLOW);
  if (!fstatSync(fd).isFIFO()) {
    closeSync(fd);
    throw Object.assign(new Error(`${path} is not a FIFO`), { code: 'ENOTFIFO' });
  }
  return fd;
}

/** Our read end: non-blocking, so reads never stall the daemon. */
export function openFifoReader(path: string): number {
  return openFifo(path, O_RDONLY | O_NONBLOCK);
}

/**
 * The child's end, read-write: the child itself then counts as a reader, so a
 * write never meets a pipe without readers (no EPIPE, no SIGPIPE) when the
 * daemon is gone; at worst it blocks once the pipe is full.
 */
export function openFifoForChild(path: string): number {
  return openFifo(path, O_RDWR);
}

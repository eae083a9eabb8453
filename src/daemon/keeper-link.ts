/**
 * The keeper (bin/apictl-keeper) is the small shell process that started this
 * daemon and restarts it when it dies. It also holds every FIFO in run/ open,
 * so what a child writes just before it exits is kept even while no daemon
 * runs. Returns the function that asks it to look at run/ again (coalesced),
 * or null when no keeper is our parent (systemd's own unit, `apictl daemon`).
 */
export interface KeeperLink {
  /** Asks the keeper to look at run/ again (coalesced). */
  notify(): void;
  /** No more notices (the daemon is stopping: every signal would only interrupt the keeper's wait). */
  silence(): void;
}

export function keeperNotifier(env: NodeJS.ProcessEnv = process.env): KeeperLink | null {
  const keeper = Number(env.APICTL_KEEPER_PID);
  if (!Number.isInteger(keeper) || keeper <= 1 || keeper !== process.ppid) return null;
  let pending = false;
  let silent = false;
  const notify = () => {
    if (pending || silent) return;
    pending = true;
    setImmediate(() => {
      pending = false;
      // Still our parent? A keeper that died may have its pid reused, and USR1 would end a stranger.
      if (process.ppid !== keeper) return;
      try {
        process.kill(keeper, 'SIGUSR1');
      } catch {
        // the keeper is gone: nothing holds the FIFOs but the children themselves
      }
    });
  };
  return { notify, silence: () => (silent = true) };
}

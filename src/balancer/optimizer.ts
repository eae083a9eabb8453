// The keeper starts the daemon with V8's optimizing compiler off
// (--no-turbofan): its machine code, and the pages of the node binary that
// hold the compiler, cost a daemon with services 3-5 MB for good (measured:
// see the commit), and nothing such a daemon runs needs it (logs keep the
// pipe's speed interpreted). A balancer proxies every request through this
// process and does a quarter of its requests per second interpreted, so the
// first front server turns the compiler on, for the rest of the daemon's
// life (V8 reads the flag at each tier-up decision). Flags of the user's own
// (APICTL_NODE_FLAGS) stand as given.

/** Pure: the daemon runs on the keeper's default flags, which leave the optimizing compiler off. */
export function optimizerLeftOff(execArgv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  return env.APICTL_NODE_FLAGS === undefined && execArgv.includes('--no-turbofan');
}

let done = false;

/** Turns V8's optimizing compiler on, once, if the keeper's default flags left it off. */
export function optimizeHotCode(): void {
  if (done) return;
  done = true;
  if (optimizerLeftOff(process.execArgv, process.env)) process.getBuiltinModule('node:v8').setFlagsFromString('--turbofan');
}

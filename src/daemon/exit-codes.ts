/** Exit codes the keeper (bin/apictl-keeper) reads. */
export const EXIT_STOPPED = 0;
export const EXIT_CRASHED = 1;
export const EXIT_ALREADY_RUNNING = 3;
export const EXIT_REFUSED = 4;
export const EXIT_HANDED_OVER = 75;

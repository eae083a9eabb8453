import { describe, expect, it } from 'vitest';
import { optimizerLeftOff } from '../../src/balancer/optimizer.js';

describe("optimizerLeftOff: the first balancer turns V8's optimizing compiler on only over the keeper's defaults", () => {
  const keeper = ['--max-semi-space-size=1', '--expose-gc', '--no-sparkplug', '--no-turbofan'];
  it.each([
    { what: "the keeper's default flags", execArgv: keeper, env: {}, off: true },
    { what: 'flags of the user (APICTL_NODE_FLAGS), even the same ones', execArgv: keeper, env: { APICTL_NODE_FLAGS: keeper.join(' ') }, off: false },
    { what: 'APICTL_NODE_FLAGS empty: no flags at all', execArgv: [], env: { APICTL_NODE_FLAGS: '' }, off: false },
    { what: 'a daemon started without --no-turbofan', execArgv: ['--expose-gc'], env: {}, off: false },
  ])('$what → $off', ({ execArgv, env, off }) => {
    expect(optimizerLeftOff(execArgv, env)).toBe(off);
  });
});

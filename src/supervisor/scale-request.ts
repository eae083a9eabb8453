import { ApictlError } from '../errors.js';
import type { ServiceDefinition } from '../types.js';

/** What `apictl scale` may set a plain balanced service (`instances: N`) to. */
export const PLAIN_SCALE_MAX = 64;

/**
 * Pure: why `apictl scale <name> <count>` cannot be done, or null. An
 * autoscaled service takes a count within its min..max; a plain balanced one
 * (`instances: N`, or maxInflight/accessLog) 1..64; a service whose one
 * instance owns the port has no balancer to add instances behind.
 */
export function checkScaleRequest(definition: ServiceDefinition, state: { balanced: boolean; running: boolean }, count: number | 'auto'): ApictlError | null {
  const { name, autoscale } = definition;
  if (!state.balanced) {
    return new ApictlError('APICTL_NOT_SCALABLE', definition.port === null
      ? `${name} listens on no port: apictl scales only services whose traffic it balances`
      : `${name} runs one process on port ${definition.port} itself (no balancer in front), so its count cannot change live`, {
      hint: 'give it `instances: {"min": 1, "max": 4}` (or `instances: 2` and more, or maxInflight) in its definition: `apictl delete ' + name + '`, then start it again',
    });
  }
  if (!state.running) return new ApictlError('APICTL_NOT_RUNNING', `${name} is stopped`, { hint: `\`apictl start ${name}\` first` });
  if (count === 'auto') return null;
  const [min, max] = autoscale ? [autoscale.min, autoscale.max] : [1, PLAIN_SCALE_MAX];
  if (!Number.isInteger(count) || count < min || count > max) {
    return new ApictlError('APICTL_USAGE', `${name} runs ${min} to ${max} instances: ${count} is outside that`, {
      hint: autoscale ? 'min and max are part of its definition (instances: {min, max}); `apictl scale ' + name + ' auto` follows the load again' : `give a whole number from 1 to ${PLAIN_SCALE_MAX}`,
    });
  }
  return null;
}

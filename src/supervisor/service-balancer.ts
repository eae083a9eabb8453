import type { Balancer, BalancerOptions } from '../balancer/balancer.js';
import { ApictlError } from '../errors.js';

/** A balanced service's listener on its public port, once it listens; a failure says what holds the port. */
export async function listenBalancer(options: Omit<BalancerOptions, 'port'>): Promise<Balancer> {
  const port = options.definition.port!;
  const name = options.definition.name;
  // Loaded on first use: a daemon with only single-instance services never loads the proxy or undici.
  const { Balancer } = await import('../balancer/balancer.js');
  const balancer = new Balancer({ ...options, port });
  try {
    await balancer.listen();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ApictlError(code === 'EADDRINUSE' ? 'APICTL_PORT_IN_USE' : 'APICTL_LISTEN', `${name}: cannot listen on port ${port}: ${code === 'EADDRINUSE' ? 'already in use' : (code ?? (error as Error).message)}`, {
      hint: `stop whatever holds the port, then \`apictl restart ${name}\``,
    });
  }
  return balancer;
}

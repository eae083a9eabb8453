import type { Logger } from 'pino';
import { ApictlError } from '../errors.js';
import type { RouteFront, RouteTarget } from '../balancer/routes.js';
import { isPortFree } from '../config/ports.js';
import { findPortHolder } from '../process/port-holder.js';
import type { RouteTable } from '../types.js';

/** The open `routes` ports, each fronting services by path prefix. */
export class RouteRegistry {
  private readonly fronts = new Map<number, RouteFront>();

  constructor(
    private readonly host: string,
    /** How to reach a service while it is online, else null (its routes answer 503). */
    private readonly targetOf: (service: string) => RouteTarget | null,
    /** Port a registered service owns, to refuse it as a routes port. */
    private readonly ownerOf: (port: number) => string | null,
    private readonly logger: Logger,
  ) {}

  tables(): RouteTable[] {
    return [...this.fronts.values()].map((front) => front.table);
  }

  /** Throws unless `table` could be added: its port free (or the same table already there). */
  async check(table: RouteTable): Promise<void> {
    const existing = this.fronts.get(table.port);
    if (existing) {
      if (JSON.stringify(existing.table.paths) === JSON.stringify(table.paths) && !existing.table.strip === !table.strip) return;
      throw new ApictlError('APICTL_CONFLICT', `routes.port: ${table.port} already fronts other routes`, {
        hint: 'delete those services first, or pick another routes port',
      });
    }
    const owner = this.ownerOf(table.port);
    if (owner) throw new ApictlError('APICTL_CONFLICT', `routes.port: ${table.port} belongs to service "${owner}"`);
    if (!(await isPortFree(table.port))) {
      const holder = findPortHolder(table.port);
      throw new ApictlError('APICTL_PORT_IN_USE', `routes.port: port ${table.port} is already in use${holder ? ` by pid ${holder}` : ''}`, {
        hint: 'stop whatever holds the port, or choose another routes port',
      });
    }
  }

  /** Opens the routes port (a no-op when the same table is already there). */
  async add(table: RouteTable): Promise<boolean> {
    await this.check(table);
    if (this.fronts.has(table.port)) return false;
    // Loaded on first use, like the balancer: no routes, no proxy code in memory.
    const { RouteFront } = await import('../balancer/routes.js');
    const front = new RouteFront(table, this.host, this.targetOf);
    await front.listen();
    this.fronts.set(table.port, front);
    this.logger.info({ port: table.port, paths: table.paths }, 'routes open');
    return true;
  }

  /** Closes every table none of whose services is still registered. */
  async dropOrphans(registered: (service: string) => boolean): Promise<void> {
    for (const [port, front] of this.fronts) {
      if (Object.values(front.table.paths).some(registered)) {
        front.prune(); // a deleted service's pool and counters go now, not at the next request
        continue;
      }
      this.fronts.delete(port);
      await front.close();
      this.logger.info({ port }, 'routes closed: none of their services remain');
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.fronts.values()].map((front) => front.close()));
    this.fronts.clear();
  }
}

import type { RequestFigures, ServiceRequestFigures } from '../types.js';
import { RequestStats, summarizeStats } from './request-stats.js';

/** Instance index for requests no instance answered (no capacity, queue timeout). */
export const NO_INSTANCE = -1;

export interface StatsEntry {
  instance: number;
  /** The routes prefix the request came through; "" when it came to the service's own port. */
  route: string;
  stats: RequestStats;
}

/**
 * A service's request counters, one RequestStats per (instance, route). Owned
 * by the service: when it is deleted they go with it, series and all.
 */
export class ServiceRequests {
  private readonly entries = new Map<string, StatsEntry>();

  statsFor(instance: number, route: string): RequestStats {
    const key = `${instance} ${route}`;
    let entry = this.entries.get(key);
    if (!entry) this.entries.set(key, (entry = { instance, route, stats: new RequestStats() }));
    return entry.stats;
  }

  all(): StatsEntry[] {
    return [...this.entries.values()];
  }

  /** Nothing ever went through apictl's proxy for this service. */
  get empty(): boolean {
    return this.entries.size === 0;
  }

  figures(nowMs: number): ServiceRequestFigures {
    const entries = this.all();
    const routes = new Set(entries.filter((entry) => entry.route !== '').map((entry) => entry.route));
    const byRoute: Record<string, RequestFigures> = {};
    for (const route of routes) byRoute[route] = summarizeStats(pick(entries, (entry) => entry.route === route), nowMs);
    return { ...summarizeStats(pick(entries, () => true), nowMs), byRoute };
  }

  instanceFigures(index: number, nowMs: number): RequestFigures {
    return summarizeStats(pick(this.all(), (entry) => entry.instance === index), nowMs);
  }
}

function pick(entries: StatsEntry[], wanted: (entry: StatsEntry) => boolean): RequestStats[] {
  return entries.filter(wanted).map((entry) => entry.stats);
}

import type { ExportRoute, ExportRouteTable } from './types.js';

// apictl's router (balancer/routes.ts matchRoute): "/api" matches "/api" and
// "/api/x", never "/apix"; a trailing slash is ignored; the longest prefix
// wins; "/" matches everything. Every front renders from these rules.

export interface RouteRule extends ExportRoute {
  /** The prefix without a trailing slash ("/" stays "/"). */
  base: string;
}

/**
 * Pure: the table's routes, longest prefix first (ties by name, so output is
 * stable). "/api" and "/api/" are one prefix; like the router, "/api" wins.
 */
export function orderRoutes(table: ExportRouteTable): RouteRule[] {
  const byBase = new Map<string, RouteRule>();
  const withoutSlashFirst = [...table.routes].sort((a, b) => a.prefix.length - b.prefix.length);
  for (const route of withoutSlashFirst) {
    const base = route.prefix.length > 1 && route.prefix.endsWith('/') ? route.prefix.slice(0, -1) : route.prefix;
    if (!byBase.has(base)) byBase.set(base, { ...route, base });
  }
  return [...byBase.values()].sort((a, b) => b.base.length - a.base.length || a.base.localeCompare(b.base));
}

export function hasRootRoute(table: ExportRouteTable): boolean {
  return orderRoutes(table).some((rule) => rule.base === '/');
}

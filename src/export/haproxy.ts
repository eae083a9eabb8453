import { finishFront, NO_ROUTE_MESSAGE, planUpstreams, PROXY_HOST, type Upstream } from './front-plan.js';
import { orderRoutes } from './route-rules.js';
import type { ExportInput, ExportOutput, ExportRouteTable } from './types.js';
import { formatDuration } from './units.js';

export const HAPROXY_FILE = 'haproxy.cfg';

const GLOBAL = [
  'global',
  '    log stdout format raw local0',
  '',
  '# HAProxy needs every timeout set; a service that sets its own overrides these in its backend.',
  'defaults',
  '    mode http',
  '    log global',
  '    timeout connect 5s',
  '    timeout client 60s',
  '    timeout server 60s',
  '    timeout http-request 10s',
  '    timeout http-keep-alive 5s',
  '    timeout queue 30s',
];

// What apictl's balancer sends upstream: the client address only (no proxy is trusted), a request id kept when given.
const FORWARD_HEADERS = [
  '    http-request set-header X-Forwarded-For %[src]',
  '    http-request set-header X-Forwarded-Proto http',
  '    http-request set-header X-Forwarded-Host %[req.hdr(host)]',
  '    http-request set-header X-Request-Id %[uuid] unless { req.hdr(x-request-id) -m found }',
];

/** A regex that matches the prefix at the start of the path, with an optional "/" after it. */
const stripPattern = (base: string) => `^${base.replace(/[.*+?^${}()|[\]\\,]/g, '\\$&')}/?`;

function backend({ service, ports }: Upstream): string[] {
  const { health, traffic } = service;
  const check = health
    ? ` check inter ${formatDuration(health.intervalMs)} fall ${health.failures} rise 1`
    : ' check'; // no health path: ready = accepting connections, as apictl decides
  const cap = traffic.maxInflight !== undefined ? ` maxconn ${traffic.maxInflight}` : '';
  return [
    `backend ${service.name}`,
    '    balance leastconn',
    ...(health ? [`    option httpchk GET ${health.path}`, '    http-check expect rstatus ^2', `    timeout check ${formatDuration(health.timeoutMs)}`] : []),
    ...(traffic.sticky ? ['    cookie apictl_instance insert indirect nocache httponly'] : []),
    ...(traffic.connectTimeoutMs === undefined ? [] : [`    timeout connect ${formatDuration(traffic.connectTimeoutMs)}`]),
    ...(traffic.responseTimeoutMs === undefined ? [] : [`    timeout server ${formatDuration(traffic.responseTimeoutMs)}`]),
    ...ports.map((port, index) => `    server ${service.name}-${index} ${PROXY_HOST}:${port}${check}${cap}${traffic.sticky ? ` cookie ${index}` : ''}`),
  ];
}

function serviceFrontend({ service }: Upstream): string[] {
  const { headerTimeoutMs, keepAliveTimeoutMs, accessLog } = service.traffic;
  return [
    `# ${service.name}: apictl's balancer on port ${service.port}`,
    `frontend ${service.name}`,
    `    bind ${PROXY_HOST}:${service.port}`,
    ...(accessLog ? ['    option httplog'] : ['    option dontlog-normal']),
    ...(headerTimeoutMs === undefined ? [] : [`    timeout http-request ${formatDuration(headerTimeoutMs)}`]),
    ...(keepAliveTimeoutMs === undefined ? [] : [`    timeout http-keep-alive ${formatDuration(keepAliveTimeoutMs)}`]),
    ...FORWARD_HEADERS,
    `    default_backend ${service.name}`,
  ];
}

/**
 * Routes as apictl's router matches them ("/api" is "/api" and "/api/…",
 * longest wins): each matching rule, shortest first, records its route, so
 * the longest is what stays; only then is a prefix stripped and a backend chosen.
 */
function routesFrontend(table: ExportRouteTable, known: Set<string>): string[] {
  const rules = orderRoutes(table).filter((rule) => known.has(rule.service));
  const shortestFirst = [...rules].reverse();
  const acls = rules.flatMap((rule, index) =>
    rule.base === '/' ? [`    acl route_${index} always_true`] : [`    acl route_${index} path ${rule.base}`, `    acl route_${index} path_beg ${rule.base}/`],
  );
  const picked = (index: number) => `{ var(txn.route) -m str ${index} }`;
  return [
    `# routes on port ${table.port}: ${rules.map((rule) => `${rule.prefix} → ${rule.service}`).join(', ')}`,
    `frontend routes_${table.port}`,
    `    bind ${PROXY_HOST}:${table.port}`,
    '    option dontlog-normal',
    ...FORWARD_HEADERS,
    ...acls,
    ...shortestFirst.map((rule) => `    http-request set-var(txn.route) str(${rules.indexOf(rule)}) if route_${rules.indexOf(rule)}`),
    `    http-request return status 404 content-type text/plain string "${NO_ROUTE_MESSAGE}" unless { var(txn.route) -m found }`,
    ...rules.flatMap((rule, index) => (rule.strip ? [`    http-request set-path %[path,regsub(${stripPattern(rule.base)},/)] if ${picked(index)}`] : [])),
    ...rules.map((rule, index) => `    use_backend ${rule.service} if ${picked(index)}`),
  ];
}

/** Pure: a complete haproxy.cfg: a frontend per balanced service and per routes table, a backend per service they reach. */
export function renderHaproxy(input: ExportInput): ExportOutput {
  const upstreams = planUpstreams(input);
  const known = new Set(upstreams.map((upstream) => upstream.service.name));
  const blocks = [
    GLOBAL,
    ...upstreams.filter((upstream) => upstream.fronted).map(serviceFrontend),
    ...input.routes.map((table) => routesFrontend(table, known)),
    ...upstreams.map(backend),
  ];
  return finishFront(input, 'haproxy', { path: HAPROXY_FILE, firstLine: '# Written by `apictl export haproxy`: haproxy -f haproxy.cfg', blocks, upstreams });
}

import {
  DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_HEADER_TIMEOUT_MS, DEFAULT_KEEP_ALIVE_TIMEOUT_MS, DEFAULT_QUEUE_TIMEOUT_MS, DEFAULT_SEND_TIMEOUT_MS,
  DEFAULT_UPSTREAM_TIMEOUT_MS,
} from '../balancer/traffic-settings.js';
import { finishFront, NO_ROUTE_MESSAGE, planUpstreams, PROXY_HOST, type Upstream } from './front-plan.js';
import { orderRoutes } from './route-rules.js';
import type { ExportInput, ExportOutput, ExportRouteTable, ExportService } from './types.js';
import { formatDuration } from './units.js';

export const HAPROXY_FILE = 'haproxy.cfg';

/** Idle WebSockets: without `timeout tunnel` HAProxy would close them after the client/server timeouts. */
const TUNNEL_IDLE_MS = 60_000;

// apictl's defaults (balancer/traffic-settings.ts), each as the HAProxy timeout that does the same:
// `timeout client` drops a client that stops reading (sendTimeout); it does not run while the server thinks.
const GLOBAL = [
  'global',
  '    log stdout format raw local0',
  '',
  '# HAProxy needs every timeout set; a service that sets its own overrides these in its frontend or backend.',
  'defaults',
  '    mode http',
  '    log global',
  `    timeout connect ${formatDuration(DEFAULT_CONNECT_TIMEOUT_MS)}`,
  `    timeout client ${formatDuration(DEFAULT_SEND_TIMEOUT_MS)}`,
  `    timeout server ${formatDuration(DEFAULT_UPSTREAM_TIMEOUT_MS)}`,
  `    timeout http-request ${formatDuration(DEFAULT_HEADER_TIMEOUT_MS)}`,
  `    timeout http-keep-alive ${formatDuration(DEFAULT_KEEP_ALIVE_TIMEOUT_MS)}`,
  `    timeout queue ${formatDuration(DEFAULT_QUEUE_TIMEOUT_MS)}`,
  '    # An idle WebSocket closes after this (apictl never closes one): raise it for long-lived sockets.',
  `    timeout tunnel ${formatDuration(TUNNEL_IDLE_MS)}`,
];

const QUEUE_FULL_MESSAGE = 'every instance is busy and the queue is full';

/**
 * apictl's queueLimit: past N waiting, 503 at once. (A server's `maxqueue`
 * does not do it: past it HAProxy queues in the backend, without a limit.)
 * 0 waits for nothing: 503 when no server has a free slot.
 */
function queueLimitRule(limit: number): string {
  const full = limit === 0 ? 'be_conn_free() le 0' : `queue() ge ${limit}`;
  return `    http-request return status 503 content-type text/plain string "${QUEUE_FULL_MESSAGE}" hdr retry-after 1 if { ${full} }`;
}

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
    ...(traffic.upstreamTimeoutMs === undefined ? [] : [`    timeout server ${formatDuration(traffic.upstreamTimeoutMs)}`]),
    ...(traffic.queueTimeoutMs === undefined ? [] : [`    timeout queue ${formatDuration(traffic.queueTimeoutMs)}`]),
    // Without maxInflight nothing queues (in apictl too), and be_conn_free() has no meaning.
    ...(traffic.queueLimit === undefined || traffic.maxInflight === undefined ? [] : [queueLimitRule(traffic.queueLimit)]),
    ...ports.map((port, index) => `    server ${service.name}-${index} ${PROXY_HOST}:${port}${check}${cap}${traffic.sticky ? ` cookie ${index}` : ''}`),
  ];
}

function serviceFrontend({ service }: Upstream): string[] {
  const { headerTimeoutMs, keepAliveTimeoutMs, sendTimeoutMs, accessLog } = service.traffic;
  return [
    `# ${service.name}: apictl's balancer on port ${service.port}`,
    `frontend ${service.name}`,
    `    bind ${PROXY_HOST}:${service.port}`,
    ...(accessLog ? ['    option httplog'] : ['    option dontlog-normal']),
    ...(headerTimeoutMs === undefined ? [] : [`    timeout http-request ${formatDuration(headerTimeoutMs)}`]),
    ...(keepAliveTimeoutMs === undefined ? [] : [`    timeout http-keep-alive ${formatDuration(keepAliveTimeoutMs)}`]),
    ...(sendTimeoutMs === undefined ? [] : [`    timeout client ${formatDuration(sendTimeoutMs)}`]),
    ...FORWARD_HEADERS,
    `    default_backend ${service.name}`,
  ];
}

/**
 * A frontend has one `timeout client` (HAProxy 2.6 cannot set it per
 * request), while apictl drops a client by the sendTimeout of the service
 * it was routed to: a routes frontend takes the longest of its services'
 * once one sets its own, and says who gets a longer one than theirs.
 */
function routesClientTimeout(table: ExportRouteTable, services: ExportService[]): { ms: number | null; warnings: string[] } {
  if (!services.some((service) => service.traffic.sendTimeoutMs !== undefined)) return { ms: null, warnings: [] };
  const sendTimeoutOf = (service: ExportService) => service.traffic.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  const ms = Math.max(...services.map(sendTimeoutOf));
  const shorter = services.filter((service) => sendTimeoutOf(service) < ms).map((service) => `${service.name} (${formatDuration(sendTimeoutOf(service))})`);
  const warnings = shorter.length === 0 ? [] : [
    `routes (port ${table.port}): sendTimeout: HAProxy has one client timeout per frontend: routes_${table.port} drops a client that stops reading after ${formatDuration(ms)}, the longest of its services', also for ${shorter.join(', ')}; give them one sendTimeout, or their own port`,
  ];
  return { ms, warnings };
}

/**
 * Routes as apictl's router matches them ("/api" is "/api" and "/api/…",
 * longest wins): each matching rule, shortest first, records its route, so
 * the longest is what stays; only then is a prefix stripped and a backend chosen.
 */
function routesFrontend(table: ExportRouteTable, byName: Map<string, ExportService>, clientTimeoutMs: number | null): string[] {
  const rules = orderRoutes(table).filter((rule) => byName.has(rule.service));
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
    ...(clientTimeoutMs === null ? [] : [`    timeout client ${formatDuration(clientTimeoutMs)}`]),
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
  const byName = new Map(upstreams.map((upstream) => [upstream.service.name, upstream.service]));
  const routed = input.routes.map((table) => {
    const services = [...new Set(orderRoutes(table).map((rule) => rule.service))].flatMap((name) => byName.get(name) ?? []);
    return { table, clientTimeout: routesClientTimeout(table, services) };
  });
  const blocks = [
    GLOBAL,
    ...upstreams.filter((upstream) => upstream.fronted).map(serviceFrontend),
    ...routed.map(({ table, clientTimeout }) => routesFrontend(table, byName, clientTimeout.ms)),
    ...upstreams.map(backend),
  ];
  return finishFront(input, 'haproxy', {
    path: HAPROXY_FILE, firstLine: '# Written by `apictl export haproxy`: haproxy -f haproxy.cfg', blocks, upstreams,
    warnings: routed.flatMap(({ clientTimeout }) => clientTimeout.warnings),
  });
}

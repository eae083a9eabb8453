import { finishFront, NO_ROUTE_MESSAGE, planUpstreams, PROXY_HOST, type Upstream } from './front-plan.js';
import { orderRoutes } from './route-rules.js';
import type { ExportInput, ExportOutput, ExportRouteTable, ExportService } from './types.js';
import { toSeconds } from './units.js';

export const NGINX_FILE = 'apictl.conf';

/** A word in nginx's config: quoted when it holds spaces, quotes, `;`, `{` or `}`. */
const word = (value: string) => (/[\s"';{}\\$]/.test(value) ? `"${value.replace(/["\\$]/g, '\\$&')}"` : value);

// What apictl's balancer sends upstream: the client address only (no proxy is trusted),
// the original host, a request id kept when given, and WebSocket upgrades.
const PROXY_HEADERS = [
  'proxy_http_version 1.1;',
  'proxy_set_header Host $http_host;',
  'proxy_set_header Upgrade $http_upgrade;',
  'proxy_set_header Connection $apictl_connection;',
  'proxy_set_header X-Forwarded-For $remote_addr;',
  'proxy_set_header X-Forwarded-Proto $scheme;',
  'proxy_set_header X-Forwarded-Host $http_host;',
  'proxy_set_header X-Request-Id $apictl_request_id;',
];

const MAPS = [
  'map $http_upgrade $apictl_connection {',
  '    default upgrade;',
  '    "" "";',
  '}',
  'map $http_x_request_id $apictl_request_id {',
  '    default $http_x_request_id;',
  '    "" $request_id;',
  '}',
];

function upstreamBlock({ service, ports }: Upstream): string[] {
  const health = service.health ? ` max_fails=${service.health.failures} fail_timeout=${toSeconds(service.health.intervalMs)}s` : '';
  const cap = service.traffic.maxInflight !== undefined ? ` max_conns=${service.traffic.maxInflight}` : '';
  return [
    `upstream ${service.name} {`,
    ...(ports.length > 1 ? [service.traffic.sticky ? '    ip_hash;' : '    least_conn;'] : []),
    ...ports.map((port) => `    server ${PROXY_HOST}:${port}${health}${cap};`),
    '}',
  ];
}

/** proxy_pass and what one service sets for it; `strip` replaces the matched prefix with "/". */
function proxyLines(service: ExportService, strip: boolean): string[] {
  const { connectTimeoutMs, upstreamTimeoutMs, sendTimeoutMs, accessLog } = service.traffic;
  return [
    `proxy_pass http://${service.name}${strip ? '/' : ''};`,
    ...(connectTimeoutMs === undefined ? [] : [`proxy_connect_timeout ${toSeconds(connectTimeoutMs)}s;`]),
    ...(upstreamTimeoutMs === undefined ? [] : [`proxy_read_timeout ${toSeconds(upstreamTimeoutMs)}s;`]),
    // Between two writes to a client that stopped reading, as apictl's sendTimeout.
    ...(sendTimeoutMs === undefined ? [] : [`send_timeout ${toSeconds(sendTimeoutMs)}s;`]),
    ...(accessLog ? [] : ['access_log off;']),
  ];
}

const indent = (lines: string[], by = '    ') => lines.map((line) => (line ? by + line : line));

function location(match: string, lines: string[]): string[] {
  return [`location ${match} {`, ...indent(lines), '}'];
}

function serviceServer(service: ExportService): string[] {
  const { headerTimeoutMs, keepAliveTimeoutMs } = service.traffic;
  return [
    `# ${service.name}: apictl's balancer on port ${service.port}`,
    'server {',
    ...indent([
      `listen ${PROXY_HOST}:${service.port};`,
      ...(headerTimeoutMs === undefined ? [] : [`client_header_timeout ${toSeconds(headerTimeoutMs)}s;`]),
      ...(keepAliveTimeoutMs === undefined ? [] : [`keepalive_timeout ${toSeconds(keepAliveTimeoutMs)}s;`]),
      ...PROXY_HEADERS,
      ...location('/', proxyLines(service, false)),
    ]),
    '}',
  ];
}

/** "/api" is `= /api` and `/api/`, as apictl's router matches it; nginx picks the longest prefix itself. */
function routesServer(table: ExportRouteTable, byName: Map<string, ExportService>): string[] {
  const rules = orderRoutes(table).filter((rule) => byName.has(rule.service));
  const locations = rules.flatMap((rule) => {
    const lines = proxyLines(byName.get(rule.service)!, rule.strip);
    if (rule.base === '/') return location('/', lines);
    return [...location(`= ${word(rule.base)}`, lines), ...location(word(`${rule.base}/`), lines)];
  });
  const root = rules.some((rule) => rule.base === '/') ? [] : location('/', [`return 404 "${NO_ROUTE_MESSAGE}\\n";`]);
  return [
    `# routes on port ${table.port}: ${rules.map((rule) => `${rule.prefix} → ${rule.service}`).join(', ')}`,
    'server {',
    ...indent([`listen ${PROXY_HOST}:${table.port};`, ...PROXY_HEADERS, ...locations, ...root]),
    '}',
  ];
}

/** Pure: one file for nginx's http {} block: an upstream per service, a server per balanced service and per routes table. */
export function renderNginx(input: ExportInput): ExportOutput {
  const upstreams = planUpstreams(input);
  const byName = new Map(upstreams.map((upstream) => [upstream.service.name, upstream.service]));
  const blocks = [
    MAPS,
    ...upstreams.map(upstreamBlock),
    ...upstreams.filter((upstream) => upstream.fronted).map((upstream) => serviceServer(upstream.service)),
    ...input.routes.map((table) => routesServer(table, byName)),
  ];
  return finishFront(input, 'nginx', { path: NGINX_FILE, firstLine: '# Written by `apictl export nginx`: include it in the http {} block (e.g. /etc/nginx/conf.d/apictl.conf).', blocks, upstreams });
}

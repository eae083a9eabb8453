import { defined, FRONT, frontOnly, type Cell, type RoutesRow, type ServiceRow } from './field-cells.js';

type TimeoutKey = 'headerTimeoutMs' | 'keepAliveTimeoutMs' | 'connectTimeoutMs' | 'upstreamTimeoutMs' | 'sendTimeoutMs';

const timeout = (field: string, key: TimeoutKey, k8s: Cell, nginx: Cell, haproxy: Cell): ServiceRow => ({
  scope: 'service',
  field,
  isSet: (service) => defined(service.traffic[key]),
  cells: frontOnly('compose has no proxy timeouts', k8s, nginx, haproxy),
});

const code = (directive: string): Cell => ({ how: `\`${directive}\`` });

const HAPROXY_QUEUES = '`apictl export haproxy` gives the front that queues';

/** The queue apictl's balancer keeps when every instance holds maxInflight: only HAProxy has one. */
const queueRow = (field: string, isSet: ServiceRow['isSet'], haproxy: string, what: string): ServiceRow => ({
  scope: 'service', field, isSet,
  cells: {
    compose: { how: '—', warn: `compose has no request queue: ${HAPROXY_QUEUES}` },
    k8s: { how: '—', warn: `a Service has no request queue: ${HAPROXY_QUEUES} (${what})` },
    systemd: { how: '—', warn: `systemd runs processes, not a proxy: ${HAPROXY_QUEUES}` },
    nginx: { how: '—', warn: `nginx (open source) has no queue: a request that finds every instance full fails at once; ${HAPROXY_QUEUES} (${what})` },
    haproxy: { how: haproxy },
  },
});

/** Rows for apictl's balancer and router: what a proxy in front takes over. */
export const TRAFFIC_ROWS: ServiceRow[] = [
  {
    scope: 'service', field: 'maxInflight', isSet: (service) => defined(service.traffic.maxInflight),
    cells: frontOnly(
      'compose cannot cap requests per container',
      { how: '—', warn: 'a Service cannot cap requests per pod: put HAProxy in front (`apictl export haproxy`: maxconn per server, the rest queue)' },
      {
        how: '`server … max_conns=N`',
        warn: 'nginx (open source) has no queue: when every instance holds {maxInflight} requests the next one fails at once (502) instead of waiting as with apictl; `apictl export haproxy` queues',
      },
      { how: '`server … maxconn N` (the rest queue)' },
    ),
  },
  {
    scope: 'service', field: 'sticky', isSet: (service) => service.traffic.sticky === true,
    cells: frontOnly(
      'compose has no sticky sessions',
      { how: 'Service `sessionAffinity: ClientIP`; Ingress: ingress-nginx `affinity: cookie` annotations' },
      {
        how: '`ip_hash`',
        warn: 'nginx (open source) has no sticky cookie: ip_hash keeps each client address on one instance (clients behind one NAT share it); `apictl export haproxy` uses the cookie',
      },
      { how: '`cookie apictl_instance insert indirect nocache`' },
    ),
  },
  {
    scope: 'service', field: 'accessLog', isSet: (service) => service.traffic.accessLog === true,
    cells: frontOnly(
      'compose does not log requests',
      { how: 'ingress-nginx logs what comes through the Ingress', warn: 'a Service does not log requests: only what comes through the Ingress is logged (by ingress-nginx)' },
      { how: '`access_log` (off when not set)' },
      { how: '`option httplog`' },
    ),
  },
  {
    scope: 'service', field: 'trustProxy', isSet: (service) => (service.traffic.trustProxy ?? []).length > 0,
    cells: frontOnly(
      'the front sets X-Forwarded-For',
      { how: '—', warn: 'ingress-nginx trusts X-Forwarded-For only with use-forwarded-headers (and proxy-real-ip-cidr) in its ConfigMap' },
      { how: '—', warn: 'nginx here sends only the client address in X-Forwarded-For: to trust a proxy, add set_real_ip_from <its address> and real_ip_header X-Forwarded-For' },
      { how: '—', warn: "HAProxy here sets X-Forwarded-For to the client address: to trust a proxy, keep its header for that source (an acl on src around the set-header)" },
    ),
  },
  timeout('headerTimeout', 'headerTimeoutMs', { how: '—', warn: 'ingress-nginx sets client-header-timeout cluster-wide in its ConfigMap' }, code('client_header_timeout'), code('timeout http-request')),
  timeout('keepAliveTimeout', 'keepAliveTimeoutMs', { how: '—', warn: 'ingress-nginx sets keep-alive cluster-wide in its ConfigMap' }, code('keepalive_timeout'), code('timeout http-keep-alive')),
  timeout('connectTimeout', 'connectTimeoutMs', { how: 'Ingress annotation `proxy-connect-timeout`' }, code('proxy_connect_timeout'), code('timeout connect')),
  timeout('upstreamTimeout', 'upstreamTimeoutMs', { how: 'Ingress annotation `proxy-read-timeout`' }, code('proxy_read_timeout'), code('timeout server')),
  timeout(
    'sendTimeout', 'sendTimeoutMs',
    {
      how: '—',
      warn: "ingress-nginx has no annotation for nginx's send_timeout (proxy-send-timeout is towards the pod): set `send_timeout {sendTimeout}s;` in a configuration-snippet annotation where snippets are allowed, or cluster-wide in its ConfigMap's http-snippet",
    },
    code('send_timeout'),
    { how: '`timeout client` in its frontend (a routes frontend: the longest of its services\', with a warning when they differ)' },
  ),
  queueRow('queueTimeout', (service) => defined(service.traffic.queueTimeoutMs), '`timeout queue` in its backend', 'timeout queue'),
  queueRow(
    'queueLimit', (service) => defined(service.traffic.queueLimit),
    '`http-request return status 503 if { queue() ge N }` in its backend (with maxInflight)', '503 past queueLimit',
  ),
];

export const ROUTES_ROWS: RoutesRow[] = [
  {
    scope: 'routes', field: 'routes', isSet: () => true,
    cells: {
      compose: { how: '—', warn: `compose has no path routing: ${FRONT} gives the front (run it as one more service)` },
      k8s: { how: 'Ingress, `pathType: Prefix` (the same matching)' },
      systemd: { how: '—', warn: `systemd runs processes, not a router: ${FRONT} gives the front` },
      nginx: { how: 'a `server` on the routes port; `location = /p` and `location /p/` per prefix' },
      haproxy: { how: 'a `frontend` on the routes port; `path` / `path_beg` ACLs, longest first' },
    },
  },
  {
    scope: 'routes', field: 'routes strip', isSet: (table) => table.routes.some((route) => route.strip),
    cells: {
      compose: { how: '— (see routes)' },
      k8s: { how: '—', warn: 'an Ingress Prefix path forwards the path unchanged: stripping the prefix needs ingress-nginx rewrite-target with a regex path' },
      systemd: { how: '— (see routes)' },
      nginx: { how: '`proxy_pass http://name/` (the prefix replaced by `/`)' },
      haproxy: { how: '`http-request set-path` without the prefix' },
    },
  },
];

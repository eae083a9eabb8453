import { autoscaleOf, replicasOf } from './instance-layout.js';
import { EXPORT_TARGETS, type ExportInput, type ExportRouteTable, type ExportService, type ExportTarget } from './types.js';

// The mapping, as data: one row per services-file field, one cell per target
// saying what the field becomes there, and when it has no (full) equivalent,
// the warning that says what to do instead. README's table and every
// field warning come from here. `{name}`-style placeholders are filled per service.

export interface Cell {
  how: string;
  warn?: string;
  /** Warn only for some values of a set field (default: whenever it is set). */
  warnIf?: (service: ExportService) => boolean;
}

interface Row {
  field: string;
  cells: Record<ExportTarget, Cell>;
}

export interface ServiceRow extends Row {
  scope: 'service';
  isSet: (service: ExportService) => boolean;
}

export interface RoutesRow extends Row {
  scope: 'routes';
  isSet: (table: ExportRouteTable) => boolean;
}

const NOT_A_FRONT: Cell = { how: '—' };
const FRONT = '`apictl export nginx` or `apictl export haproxy`';
const defined = (value: unknown) => value !== undefined;

/** Fields a proxy in front handles: the process targets point there. */
function frontOnly(compose: string, k8s: Cell, nginx: Cell, haproxy: Cell): Record<ExportTarget, Cell> {
  return {
    compose: { how: '—', warn: `${compose}: ${FRONT} gives the front that does` },
    k8s,
    systemd: { how: '—', warn: `systemd runs processes, not a proxy: ${FRONT} gives the front that does it` },
    nginx,
    haproxy,
  };
}

const processOnly = (compose: Cell, k8s: Cell, systemd: Cell): Record<ExportTarget, Cell> => ({ compose, k8s, systemd, nginx: NOT_A_FRONT, haproxy: NOT_A_FRONT });

const timeout = (field: string, key: 'headerTimeoutMs' | 'keepAliveTimeoutMs' | 'connectTimeoutMs' | 'responseTimeoutMs', k8s: Cell, nginx: string, haproxy: string): ServiceRow => ({
  scope: 'service',
  field,
  isSet: (service) => defined(service.traffic[key]),
  cells: frontOnly('compose has no proxy timeouts', k8s, { how: `\`${nginx}\`` }, { how: `\`${haproxy}\`` }),
});

export const SERVICE_ROWS: ServiceRow[] = [
  {
    scope: 'service', field: 'name', isSet: () => true,
    cells: {
      compose: { how: 'service and image `name`' },
      k8s: { how: 'Deployment, Service, ConfigMap `name` (lower-cased, `.`/`_` as `-`)' },
      systemd: { how: '`name.service` (`name@.service` for several instances)' },
      nginx: { how: '`upstream name`' },
      haproxy: { how: '`backend name`' },
    },
  },
  {
    scope: 'service', field: 'script, interpreter, interpreterArgs, args', isSet: () => true,
    cells: processOnly(
      { how: '`Dockerfile.name` `CMD`, image by runtime: `node:20-slim` (+ `tsx` for TypeScript), `python:3.12-slim`, `rstudio/plumber`' },
      { how: 'the same image (`Dockerfile.name`)' },
      { how: '`ExecStart=/usr/bin/env <interpreter> … <script> <args>`' },
    ),
  },
  {
    scope: 'service', field: 'cwd', isSet: () => true,
    cells: processOnly({ how: 'build `context`; `WORKDIR /app`' }, { how: 'build context of the image' }, { how: '`WorkingDirectory=`' }),
  },
  {
    scope: 'service', field: 'env', isSet: (service) => Object.keys(service.env).length > 0,
    cells: processOnly(
      { how: '`environment`' },
      { how: 'ConfigMap `name-env`; names like `*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*KEY*` in Secret `name-env`' },
      { how: '`Environment=`' },
    ),
  },
  {
    scope: 'service', field: 'envFile', isSet: (service) => defined(service.envFile),
    cells: processOnly({ how: '`env_file`' }, { how: 'its values (as at export) in the ConfigMap / Secret' }, { how: '`EnvironmentFile=`' }),
  },
  {
    scope: 'service', field: 'port', isSet: (service) => service.port !== null,
    cells: {
      compose: { how: '`ports: "P:P"`, env `PORT`' },
      k8s: { how: '`containerPort`, Service port, env `PORT`' },
      systemd: { how: '`Environment=PORT=` (an instance\'s own port for `name@PORT`)' },
      nginx: { how: '`listen 127.0.0.1:P` for a balanced service' },
      haproxy: { how: '`bind 127.0.0.1:P` for a balanced service' },
    },
  },
  {
    scope: 'service', field: 'instances (N > 1)', isSet: (service) => typeof service.instances === 'number' && service.instances > 1,
    cells: {
      compose: {
        how: '`deploy.replicas: N`, port not published',
        warn: `compose has no balancer on port {port}: the {replicas} replicas are not published; put ${FRONT} in front (one server per replica)`,
      },
      k8s: { how: '`replicas: N` (the Service balances)' },
      systemd: { how: 'template `name@.service`, one unit per instance port', warn: `nothing balances the instances on port {port}: ${FRONT} gives the front` },
      nginx: { how: '`upstream`, one `server` per instance, `least_conn`' },
      haproxy: { how: 'one `server` per instance, `balance leastconn`' },
    },
  },
  {
    scope: 'service', field: 'instances {min, max}', isSet: (service) => autoscaleOf(service) !== null,
    cells: {
      compose: {
        how: '`deploy.replicas: max(min, 1)`',
        warn: 'compose does not autoscale (nor use maxConnsPerInstance, loadFactor, idleTimeout, coldStartTimeout): it runs {replicas}; change it with `docker-compose up --scale {name}=N`',
      },
      k8s: { how: 'HorizontalPodAutoscaler `minReplicas` / `maxReplicas`' },
      systemd: {
        how: 'template `name@.service`; `min` instances to enable',
        warn: 'systemd does not autoscale (nor use maxConnsPerInstance, loadFactor, idleTimeout, coldStartTimeout): enable up to max instances by hand (`systemctl enable --now {name}@PORT`)',
      },
      nginx: { how: 'one `server` per instance up to `max`' },
      haproxy: { how: 'one `server` per instance up to `max`' },
    },
  },
  {
    scope: 'service', field: 'maxConnsPerInstance, loadFactor', isSet: (service) => autoscaleOf(service) !== null,
    cells: {
      compose: { how: '— (see instances {min, max})' },
      k8s: {
        how: 'HPA target: CPU at `loadFactor × 100 %` of a 250m request',
        warn: 'the HorizontalPodAutoscaler scales on CPU (target loadFactor × 100 % of a 250m CPU request), not on requests in flight per pod: set the request to what one instance needs, or give the HPA a requests-in-flight custom metric',
      },
      systemd: { how: '— (see instances {min, max})' },
      nginx: NOT_A_FRONT,
      haproxy: NOT_A_FRONT,
    },
  },
  {
    scope: 'service', field: 'idleTimeout', isSet: (service) => autoscaleOf(service) !== null,
    cells: {
      compose: { how: '— (see instances {min, max})' },
      k8s: { how: 'HPA `behavior.scaleDown.stabilizationWindowSeconds` (at most 3600)' },
      systemd: { how: '— (see instances {min, max})' },
      nginx: NOT_A_FRONT,
      haproxy: NOT_A_FRONT,
    },
  },
  {
    scope: 'service', field: 'instances.min 0, coldStartTimeout', isSet: (service) => autoscaleOf(service)?.min === 0,
    cells: {
      compose: { how: '— (see instances {min, max})' },
      k8s: { how: '`minReplicas: 1`', warn: "an HPA cannot scale to zero: minReplicas is 1; for scale-to-zero use KEDA's HTTP add-on or Knative" },
      systemd: { how: '— (see instances {min, max})' },
      nginx: NOT_A_FRONT,
      haproxy: NOT_A_FRONT,
    },
  },
  {
    scope: 'service', field: 'restart', isSet: () => true,
    cells: processOnly(
      { how: '`restart: always | on-failure | "no"`' },
      {
        how: 'Deployment pods always restart',
        warn: 'a Deployment always restarts its pods: a service meant to stay down ({restart}) belongs in a Job (restartPolicy OnFailure / Never)',
        warnIf: (service) => service.restart !== 'always',
      },
      { how: '`Restart=always | on-failure | no`' },
    ),
  },
  {
    scope: 'service', field: 'maxRestarts', isSet: (service) => service.maxRestarts !== 10,
    cells: processOnly(
      {
        how: '`restart: on-failure:N` (with on-failure)',
        warn: 'Docker retries forever with restart: always; restart: on-failure stops after maxRestarts',
        warnIf: (service) => service.restart === 'always',
      },
      { how: '—', warn: "Kubernetes retries forever (CrashLoopBackOff, up to 5 min apart): watch the pod's restart count instead" },
      { how: '`StartLimitBurst=N`, `StartLimitIntervalSec=` N × 30 s' },
    ),
  },
  {
    scope: 'service', field: 'restartDelay', isSet: (service) => service.restartDelayMs !== 100,
    cells: processOnly(
      { how: '—', warn: "Docker's restart delay starts at 100 ms and doubles; compose cannot set it" },
      { how: '—', warn: 'Kubernetes backs off from 10 s, doubling to 5 min; it cannot be set' },
      { how: '`RestartSec=`' },
    ),
  },
  {
    scope: 'service', field: 'stopSignal', isSet: () => true,
    cells: processOnly({ how: '`stop_signal`, `STOPSIGNAL` in the image' }, { how: '`STOPSIGNAL` in the image' }, { how: '`KillSignal=`' }),
  },
  {
    scope: 'service', field: 'killTimeout', isSet: () => true,
    cells: processOnly({ how: '`stop_grace_period`' }, { how: '`terminationGracePeriodSeconds` (seconds, rounded up)' }, { how: '`TimeoutStopSec=`' }),
  },
  {
    scope: 'service', field: 'drainTimeout', isSet: (service) => defined(service.drainTimeoutMs),
    cells: processOnly({ how: 'added to `stop_grace_period`' }, { how: 'added to `terminationGracePeriodSeconds`' }, { how: 'added to `TimeoutStopSec=`' }),
  },
  {
    scope: 'service', field: 'health', isSet: (service) => defined(service.health),
    cells: {
      compose: {
        how: '`healthcheck`: the runtime GETs the path; `interval`, `timeout`, `retries`',
        warn: 'Docker marks a failing container unhealthy but does not restart it as apictl does: add an autoheal container, or use Kubernetes (liveness probe)',
      },
      k8s: { how: '`readinessProbe` and `livenessProbe`: `httpGet` path, `periodSeconds`, `timeoutSeconds`, `failureThreshold`' },
      systemd: {
        how: '—',
        warn: "systemd does not probe HTTP: `apictl export haproxy` checks {path} and keeps traffic off a failing instance; to restart it, a timer that runs `curl -f` and `systemctl restart {name}`",
      },
      nginx: {
        how: 'passive: `max_fails=failures fail_timeout=interval`',
        warn: 'nginx (open source) does not probe {path}: it takes a server out after failed requests (max_fails/fail_timeout); `apictl export haproxy` probes it',
      },
      haproxy: { how: '`option httpchk GET path`, `check inter interval fall failures`' },
    },
  },
  {
    scope: 'service', field: 'maxMemory', isSet: (service) => defined(service.maxMemoryBytes),
    cells: processOnly(
      { how: '`deploy.resources` memory limit and reservation (over it the kernel kills; apictl restarts gracefully)' },
      { how: '`resources.limits.memory` and `requests.memory`' },
      { how: '`MemoryMax=`' },
    ),
  },
  {
    scope: 'service', field: 'watch, ignore', isSet: (service) => defined(service.watch),
    cells: processOnly(
      { how: '—', warn: 'compose does not watch files: rebuild after a change (`docker-compose up --build {name}`)' },
      { how: '—', warn: 'Kubernetes does not watch files: build and roll out a new image' },
      { how: '—', warn: 'systemd does not watch these paths: add a {name}.path unit (PathModified=) that restarts {name}, or restart it when you deploy' },
    ),
  },
  {
    scope: 'service', field: 'cronRestart', isSet: (service) => defined(service.cronRestart),
    cells: processOnly(
      { how: '—', warn: 'compose has no schedules: run `docker-compose restart {name}` from the host\'s crontab ("{cron}")' },
      { how: '—', warn: 'Kubernetes has no scheduled restarts: a CronJob ("{cron}") running `kubectl rollout restart deployment/{name}` (with RBAC for it)' },
      { how: '—', warn: 'add a timer: {name}-restart.timer (OnCalendar= for "{cron}") starting a oneshot service that runs `systemctl restart {name}`' },
    ),
  },
  {
    scope: 'service', field: 'logMaxSize, logKeep', isSet: (service) => defined(service.logMaxBytes) || defined(service.logKeep),
    cells: processOnly(
      { how: '`logging: json-file` `max-size`, `max-file`' },
      { how: '—', warn: "the kubelet rotates container logs: containerLogMaxSize and containerLogMaxFiles in the node's kubelet config" },
      { how: '—', warn: 'journald keeps the logs: size them with SystemMaxUse= in journald.conf' },
    ),
  },
  {
    scope: 'service', field: 'logDate', isSet: () => true,
    cells: processOnly(
      { how: 'lines kept as written; `docker logs -t` adds the time' },
      { how: 'lines kept as written; `kubectl logs --timestamps` adds the time' },
      { how: 'lines kept as written; the journal stamps them' },
    ),
  },
  {
    scope: 'service', field: 'logMaxLine', isSet: (service) => defined(service.logMaxLineBytes),
    cells: processOnly(
      { how: '—', warn: 'Docker splits lines over 16 KiB itself; it cannot be set' },
      { how: '—', warn: 'the container runtime splits long lines itself; it cannot be set' },
      { how: '—', warn: 'journald splits lines at LineMax= in journald.conf' },
    ),
  },
  {
    scope: 'service', field: 'inheritEnv', isSet: (service) => defined(service.inheritEnv),
    cells: processOnly(
      { how: 'containers start with the image\'s environment only', warn: "the daemon's environment does not reach containers: list what {name} needs in env", warnIf: (service) => service.inheritEnv === true },
      { how: 'containers start with the image\'s environment only', warn: "the daemon's environment does not reach pods: list what {name} needs in env", warnIf: (service) => service.inheritEnv === true },
      { how: 'units start with a clean environment', warn: "units do not inherit a daemon's environment: list what {name} needs in env", warnIf: (service) => service.inheritEnv === true },
    ),
  },
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
    scope: 'service', field: 'trustProxy', isSet: (service) => defined(service.traffic.trustProxy),
    cells: frontOnly(
      'the front sets X-Forwarded-For',
      { how: '—', warn: 'ingress-nginx trusts X-Forwarded-For only with use-forwarded-headers (and proxy-real-ip-cidr) in its ConfigMap' },
      { how: '—', warn: 'nginx here sends only the client address in X-Forwarded-For: to trust a proxy, add set_real_ip_from <its address> and real_ip_header X-Forwarded-For' },
      { how: '—', warn: "HAProxy here sets X-Forwarded-For to the client address: to trust a proxy, keep its header for that source (an acl on src around the set-header)" },
    ),
  },
  timeout('headerTimeout', 'headerTimeoutMs', { how: '—', warn: 'ingress-nginx sets client-header-timeout cluster-wide in its ConfigMap' }, 'client_header_timeout', 'timeout http-request'),
  timeout('keepAliveTimeout', 'keepAliveTimeoutMs', { how: '—', warn: 'ingress-nginx sets keep-alive cluster-wide in its ConfigMap' }, 'keepalive_timeout', 'timeout http-keep-alive'),
  timeout('connectTimeout', 'connectTimeoutMs', { how: 'Ingress annotation `proxy-connect-timeout`' }, 'proxy_connect_timeout', 'timeout connect'),
  timeout('responseTimeout', 'responseTimeoutMs', { how: 'Ingress annotation `proxy-read-timeout`' }, 'proxy_read_timeout', 'timeout server'),
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

function fill(text: string, values: Record<string, string | number | undefined>): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => (values[key] === undefined ? whole : String(values[key])));
}

function warns(cell: Cell, service?: ExportService): boolean {
  return cell.warn !== undefined && (!cell.warnIf || (service !== undefined && cell.warnIf(service)));
}

/** Pure: one warning per set field that has no (full) equivalent in `target`, service by service. */
export function collectFieldWarnings(input: Pick<ExportInput, 'services' | 'routes'>, target: ExportTarget): string[] {
  const warnings: string[] = [];
  for (const service of input.services) {
    const values = {
      name: service.name, port: service.port ?? undefined, replicas: replicasOf(service), restart: service.restart,
      cron: service.cronRestart, path: service.health?.path, maxInflight: service.traffic.maxInflight,
    };
    for (const row of SERVICE_ROWS) {
      const cell = row.cells[target];
      if (row.isSet(service) && warns(cell, service)) warnings.push(`${service.name}: ${row.field}: ${fill(cell.warn!, values)}`);
    }
  }
  for (const table of input.routes) {
    for (const row of ROUTES_ROWS) {
      const cell = row.cells[target];
      if (row.isSet(table) && warns(cell)) warnings.push(`routes (port ${table.port}): ${row.field}: ${cell.warn!}`);
    }
  }
  return warnings;
}

/** Pure: README's mapping table (markdown), one row per field, one column per target; ⚠ marks a warning. */
export function renderMappingTable(): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const rows = [...SERVICE_ROWS, ...ROUTES_ROWS].map((row) =>
    line([`\`${row.field}\``, ...EXPORT_TARGETS.map((target) => escape(row.cells[target].how) + (row.cells[target].warn ? ' ⚠' : ''))]),
  );
  return [line(['field', ...EXPORT_TARGETS]), line(['---', ...EXPORT_TARGETS.map(() => '---')]), ...rows].join('\n') + '\n';
}

import { autoscaleOf } from './instance-layout.js';
import { defined, FRONT, NOT_A_FRONT, processOnly, type ServiceRow } from './field-cells.js';

/** Rows for what runs the process: command, environment, instances, restarts, stop, health, memory, logs. */
export const PROCESS_ROWS: ServiceRow[] = [
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
];

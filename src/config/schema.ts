import { z } from 'zod';
import {
  boolean, cronExpression, duration, environment, integerIn, matching, nonEmptyString, numberIn, size, stringList, trustList,
} from './schema-fields.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_HEADER_TIMEOUT_MS, DEFAULT_KEEP_ALIVE_TIMEOUT_MS, DEFAULT_QUEUE_TIMEOUT_MS,
  DEFAULT_SEND_TIMEOUT_MS, DEFAULT_UPSTREAM_TIMEOUT_MS,
} from '../balancer/traffic-settings.js';

// The services file, defined once: validation, the TypeScript types
// (z.input / z.output) and services.schema.json (z.toJSONSchema) all come
// from here. Fields whose behaviour other parts own (logMaxLine, inheritEnv,
// the traffic fields, autoscaling) are validated and passed through; their
// defaults are documented here and applied by their owners (the balancer's
// are in src/balancer/traffic-settings.ts), so a definition saved before
// they existed still compares equal.

// The defaults live apart from the schema (defaults.ts): code that needs only a default does not load zod.
export {
  NAME_PATTERN, DEFAULT_KILL_TIMEOUT_MS, DEFAULT_MAX_RESTARTS, DEFAULT_RESTART_DELAY_MS, DEFAULT_HEALTH, DEFAULT_LOG_MAX_LINE_BYTES, DEFAULT_AUTOSCALE,
} from './defaults.js';
import { DEFAULT_HEALTH, DEFAULT_KILL_TIMEOUT_MS, DEFAULT_LOG_MAX_LINE_BYTES, DEFAULT_MAX_RESTARTS, DEFAULT_RESTART_DELAY_MS, NAME_PATTERN, DEFAULT_AUTOSCALE } from './defaults.js';


const HEALTH_MESSAGE = 'must be a path starting with "/" or {path, interval (>= 100 ms), timeout, failures (1..100)}';
const healthPath = matching(/^\//, HEALTH_MESSAGE);

// The transform sits outside the union: a failing pipe inside it would hide the field's own message.
const health = z
  .union(
    [
      healthPath,
      z.strictObject({
        path: healthPath,
        interval: duration('must be a duration of at least 100 ms, like "10s"', 100).default(DEFAULT_HEALTH.intervalMs),
        timeout: duration('must be a duration of at least 1 ms, like "5s"', 1).default(DEFAULT_HEALTH.timeoutMs),
        failures: integerIn(1, 100).default(DEFAULT_HEALTH.failures),
      }),
    ],
    { error: HEALTH_MESSAGE },
  )
  .transform((value) =>
    typeof value === 'string'
      ? { path: value, ...DEFAULT_HEALTH }
      : { path: value.path, intervalMs: value.interval, timeoutMs: value.timeout, failures: value.failures },
  );

const INSTANCES_MESSAGE = 'must be a whole number from 1 to 64';
const instances = z.union(
  [
    integerIn(1, 64, INSTANCES_MESSAGE),
    z
      .strictObject({ min: integerIn(0, 64), max: integerIn(1, 64) })
      .refine((range) => range.min <= range.max, { error: 'min must not be above max' })
      .meta({ description: 'autoscaling: between min and max instances (min 0: scale to zero)' }),
  ],
  { error: `${INSTANCES_MESSAGE}, or {min, max} for autoscaling` },
);

export const serviceSchema = z.strictObject({
  name: matching(NAME_PATTERN, 'must start with a letter or digit and use only letters, digits, ".", "_", "-" (at most 64)').optional(),
  script: nonEmptyString('must be a non-empty path'),
  interpreter: nonEmptyString('must be a program name or path, or "none"').optional(),
  interpreterArgs: stringList().default([]),
  args: stringList().default([]),
  cwd: nonEmptyString('must be a non-empty path').optional(),
  port: z
    .union([z.literal(false), z.null(), integerIn(1, 65535, 'must be 1..65535 (or false for a service without a port)')], {
      error: 'must be 1..65535 (or false for a service without a port)',
    })
    .transform((port) => (port === null ? false : port))
    .optional(),
  instances: instances.default(1),
  env: environment('must be an object of strings, numbers or booleans').default({}),
  envFile: nonEmptyString('must be a non-empty path').optional(),
  inheritEnv: boolean().optional().meta({ description: "pass the daemon's environment to the service", default: true }),
  restart: z.enum(['always', 'on-failure', 'never'], { error: 'must be "always", "on-failure" or "never"' }).default('always'),
  maxRestarts: integerIn(1, 1000).default(DEFAULT_MAX_RESTARTS),
  restartDelay: duration('must be a duration like 100 or "100ms"').default(DEFAULT_RESTART_DELAY_MS),
  killTimeout: duration('must be a duration like 5000 or "5s"').default(DEFAULT_KILL_TIMEOUT_MS),
  stopSignal: matching(/^SIG[A-Z0-9]+$/, 'must be a signal name like "SIGTERM"').optional(),
  drainTimeout: duration('must be a duration like 30000 or "30s"').optional().meta({ default: DEFAULT_DRAIN_TIMEOUT_MS }),
  health: health.optional(),
  maxMemory: size('must be a size like 314572800 or "300M"').optional(),
  watch: z
    .union([z.boolean(), stringList()], { error: 'must be true, a path, or an array of paths/globs' })
    .transform((watch) => (watch === true ? ['.'] : watch === false ? [] : watch))
    .optional(),
  ignore: stringList('must be a path or an array of paths/globs').optional(),
  logMaxSize: size('must be a size like 10485760 or "10M"').optional(),
  logKeep: integerIn(0, 100).optional(),
  logMaxLine: size('must be a size like 1048576 or "1M"').optional().meta({ default: DEFAULT_LOG_MAX_LINE_BYTES }),
  logDate: boolean().optional(),
  accessLog: boolean().optional().meta({ description: 'one line per request in the out log', default: false }),
  trustProxy: trustList('must be an address or CIDR ("10.0.0.0/8", "::1", "loopback"), or an array of them')
    .optional()
    .meta({ description: 'proxies whose X-Forwarded-For is kept (none by default)' }),
  headerTimeout: duration('must be a duration of at least 100 ms, like "10s"', 100).optional().meta({ default: DEFAULT_HEADER_TIMEOUT_MS }),
  keepAliveTimeout: duration('must be a duration of at least 100 ms, like "5s"', 100).optional().meta({ default: DEFAULT_KEEP_ALIVE_TIMEOUT_MS }),
  connectTimeout: duration('must be a duration of at least 1 ms, like "5s"', 1).optional().meta({ default: DEFAULT_CONNECT_TIMEOUT_MS }),
  upstreamTimeout: duration('must be a duration of at least 1 ms, like "60s"', 1).optional().meta({ default: DEFAULT_UPSTREAM_TIMEOUT_MS }),
  sendTimeout: duration('must be a duration of at least 1 ms, like "30s"', 1).optional().meta({ default: DEFAULT_SEND_TIMEOUT_MS }),
  queueTimeout: duration('must be a duration of at least 1 ms, like "30s"', 1).optional().meta({ default: DEFAULT_QUEUE_TIMEOUT_MS }),
  queueLimit: integerIn(0, 1_000_000).optional().meta({ description: 'requests that may wait for an instance (default: no limit but queueTimeout)' }),
  cronRestart: cronExpression('must be a cron expression like "0 3 * * *" (5 or 6 fields)').optional(),
  maxInflight: integerIn(1, 10_000).optional(),
  sticky: boolean().optional(),
  maxConnsPerInstance: integerIn(1, 10_000).optional().meta({ default: DEFAULT_AUTOSCALE.maxConnsPerInstance }),
  loadFactor: numberIn(0, 1, 'must be a number from 0 to 1').optional().meta({ default: DEFAULT_AUTOSCALE.loadFactor }),
  idleTimeout: duration('must be a duration like "5m"').optional().meta({ default: DEFAULT_AUTOSCALE.idleTimeoutMs }),
  coldStartTimeout: duration('must be a duration like "60s"').optional().meta({ default: DEFAULT_AUTOSCALE.coldStartTimeoutMs }),
});

const ROUTES_MESSAGE = 'must be {port, paths: {"/prefix": "service-name"}, strip?: true|false}';
export const routesSchema = z.strictObject(
  {
    port: integerIn(1, 65535, ROUTES_MESSAGE),
    paths: z
      .record(matching(/^\//, ROUTES_MESSAGE), matching(NAME_PATTERN, ROUTES_MESSAGE), { error: ROUTES_MESSAGE })
      .refine((paths) => Object.keys(paths).length > 0, { error: ROUTES_MESSAGE }),
    strip: boolean(ROUTES_MESSAGE).optional().meta({ description: 'remove the matched prefix before forwarding (nginx-style)' }),
  },
  { error: ROUTES_MESSAGE },
);

const fileFields = {
  $schema: z.string().optional().meta({ description: 'the JSON Schema of this file (for editors)' }),
  routes: routesSchema.optional(),
};
const servicesList = (item: z.ZodType) =>
  z
    .array(item, { error: (issue) => (issue.input === undefined ? 'required' : 'must be a list of services') })
    .min(1, 'must list at least one service');

/** The whole file as editors see it (services.schema.json). */
export const servicesFileSchema = z.strictObject({ ...fileFields, services: servicesList(serviceSchema) });
/** The file's outer shape: each service is then parsed on its own, so one bad entry does not hide another's problems. */
export const servicesFileShellSchema = z.strictObject({ ...fileFields, services: servicesList(z.unknown()) });

export type RawService = z.input<typeof serviceSchema>;
export type ParsedService = z.output<typeof serviceSchema>;
export type RawServicesFile = z.input<typeof servicesFileSchema>;

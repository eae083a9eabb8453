import { DURATION_RULE } from '../config/units.js';

// The command table: what each command takes, its help and examples. Each
// command's code lives in commands/<file>.ts and is loaded only when it runs
// (`list` never pays for blessed, zod or yaml).

export type Run = (...args: never[]) => Promise<void>;

export interface OptionSpec {
  /** commander flags: `-n, --name <name>`, `--watch [paths]`, `--no-wait`. */
  flags: string;
  description: string;
  default?: string;
  choices?: string[];
  /** Each use adds to a list (`-e A=1 -e B=2`). */
  repeatable?: boolean;
}

export interface CommandSpec {
  name: string;
  aliases?: string[];
  description: string;
  /** `<name>` required, `[name]` optional, `[args...]` the rest. */
  args?: string[];
  options?: OptionSpec[];
  examples?: string[];
  hidden?: boolean;
  load: () => Promise<Run>;
}

const runOf = (module: { run: unknown }) => module.run as Run;
const DURATION = `(${DURATION_RULE})`;

const json: OptionSpec = { flags: '--json', description: 'print the result as JSON (errors too, on stderr)' };
const noWait: OptionSpec = { flags: '--no-wait', description: 'return without waiting for ready' };
const waitTimeout: OptionSpec = { flags: '--wait-timeout <duration>', description: `how long to wait for ready, default 30s ${DURATION}` };

function control(name: 'stop' | 'restart' | 'reload' | 'delete', description: string, example: string): CommandSpec {
  return {
    name,
    aliases: name === 'delete' ? ['del'] : undefined,
    description,
    args: ['<name|all>'],
    options: name === 'restart' || name === 'reload' ? [json, noWait, waitTimeout] : [json],
    examples: [example],
    load: () => import('./commands/control.js').then((module) => module.commands[name] as Run),
  };
}

export const COMMANDS: CommandSpec[] = [
  {
    name: 'start',
    description: 'start a script, every service of a services file (.json, .yaml, pm2 ecosystem file), or a stopped service by name',
    args: ['<script|file|name>', '[args...]'],
    options: [
      { flags: '-n, --name <name>', description: 'service name (default: script name)' },
      { flags: '--interpreter <bin>', description: 'program that runs the script (node, python3, Rscript, ..., or none)' },
      { flags: '--interpreter-args <args>', description: 'arguments for the interpreter, e.g. "--max-old-space-size=512"' },
      { flags: '-p, --port <port>', description: 'port for the service (default: first free from 8000)' },
      { flags: '--no-port', description: 'the service listens on no port (ready after 1 s alive)' },
      { flags: '-i, --instances <n>', description: "processes behind apictl's balancer on the port; max: one per core; 1-4: autoscale between 1 and 4 (0-4: scale to zero)" },
      { flags: '--cwd <dir>', description: 'working directory of the service' },
      { flags: '-e, --env <KEY=VALUE>', description: 'environment variable', repeatable: true },
      { flags: '--env-file <file>', description: 'dotenv file read at every start' },
      { flags: '--env-profile <name>', description: 'pm2 ecosystem file: also apply env_<name>' },
      { flags: '--watch [paths]', description: 'restart when files change (comma-separated paths; default: the cwd)' },
      { flags: '--ignore <paths>', description: 'comma-separated paths/globs the watcher ignores' },
      { flags: '--max-memory <size>', description: 'restart an instance above this memory, e.g. 300M' },
      { flags: '--max-memory-restart <size>', description: "same as --max-memory (pm2's name)" },
      { flags: '--health <path>', description: 'HTTP path that answers 2xx when ready/healthy, e.g. /health' },
      { flags: '--restart <policy>', description: 'restart policy', choices: ['always', 'on-failure', 'never'] },
      { flags: '--kill-timeout <duration>', description: `wait after the stop signal before SIGKILL, default 5s ${DURATION}` },
      { flags: '--stop-signal <signal>', description: 'signal that asks the service to stop (default SIGTERM; SIGINT for Rscript)' },
      noWait,
      waitTimeout,
      { flags: '--only <names>', description: 'with a services file: start only these (comma-separated)' },
      json,
    ],
    examples: [
      'apictl start app.py -n api -p 8080 --health /health',
      'apictl start server.js -i max -e NODE_ENV=production --max-memory 300M',
      'apictl start api/plumber.R -p 8080 -i 0-4   # autoscaled by load, none while idle',
      'apictl start uvicorn -- app:app --port {port}',
      'apictl start services.yaml --only api,web',
      'apictl start ecosystem.config.js --env-profile production',
    ],
    load: () => import('./commands/start.js').then(runOf),
  },
  control('stop', 'stop a service (or all); it stays registered', 'apictl stop api'),
  control('restart', 'restart a service (or all)', 'apictl restart all --wait-timeout 1m'),
  control('reload', 'replace instances one at a time, each new one ready before the old stops', 'apictl reload api'),
  control('delete', 'stop a service (or all) and forget it', 'apictl delete api'),
  {
    name: 'scale',
    description: 'pin the number of instances of a balanced service (within min..max when autoscaled), or "auto" to follow the load again',
    args: ['<name>', '<count|auto>'],
    options: [
      { flags: '--no-wait', description: 'return once pinned, without waiting for the instances' },
      { flags: '--wait-timeout <duration>', description: `how long to wait for the count, default 60s ${DURATION}` },
      json,
    ],
    examples: ['apictl scale api 4', 'apictl scale api auto', 'apictl scale api 0 --no-wait   # min 0: drain and stop every instance'],
    load: () => import('./commands/scale.js').then(runOf),
  },
  {
    name: 'list',
    aliases: ['ls', 'status', 'ps'],
    description: 'show every service and instance: status, pid, port, cpu, memory, restarts, uptime',
    options: [{ flags: '--json', description: 'print one JSON array' }],
    examples: ['apictl ls', 'apictl list --json'],
    load: () => import('./commands/list.js').then(runOf),
  },
  {
    name: 'show',
    aliases: ['describe', 'info'],
    description: 'everything known about one service',
    args: ['<name>'],
    options: [{ flags: '--json', description: 'print JSON' }],
    examples: ['apictl show api', 'apictl describe api --json'],
    load: () => import('./commands/show.js').then(runOf),
  },
  {
    name: 'logs',
    description: 'print recent log lines (all services merged by time, or one), then follow',
    args: ['[name]'],
    options: [
      { flags: '-n, --lines <n>', description: 'how many recent lines', default: '15' },
      { flags: '-f, --follow', description: 'follow new lines (the default)' },
      { flags: '--no-follow', description: 'print and exit' },
      { flags: '--nostream', description: "print and exit (pm2's name for --no-follow)" },
      { flags: '--err', description: 'stderr only' },
      { flags: '--out', description: 'stdout only' },
      { flags: '--json', description: 'one JSON object per line: {time, service, instance, stream, line}' },
      { flags: '--daemon', description: "show the daemon's own log" },
    ],
    examples: ['apictl logs api -f', 'apictl logs api -n 200 --no-follow', 'apictl logs --err'],
    load: () => import('./commands/logs.js').then(runOf),
  },
  {
    name: 'flush',
    description: 'empty the log files of a service (or all)',
    args: ['[name]'],
    examples: ['apictl flush api'],
    load: () => import('./commands/flush.js').then(runOf),
  },
  {
    name: 'monit',
    description: 'live dashboard: every instance with CPU, memory, restarts; history and logs of the selected one',
    examples: ['apictl monit'],
    load: () => import('./commands/monit.js').then(runOf),
  },
  {
    name: 'save',
    description: 'write every service definition to dump.json',
    examples: ['apictl save'],
    load: () => import('./commands/save.js').then(runOf),
  },
  {
    name: 'resurrect',
    description: 'start the services listed in dump.json (running ones are skipped)',
    options: [noWait],
    examples: ['apictl resurrect'],
    load: () => import('./commands/resurrect.js').then(runOf),
  },
  {
    name: 'import',
    description: 'turn a pm2 ecosystem file or dump (~/.pm2/dump.pm2) into an apictl services file',
    args: ['<file>'],
    options: [
      { flags: '-o, --out <file>', description: 'write the services file here (default: print it)' },
      { flags: '--env-profile <name>', description: 'also apply env_<name> of each app' },
    ],
    examples: ['apictl import ecosystem.config.js --out services.json', 'apictl import ~/.pm2/dump.pm2 -o services.json'],
    load: () => import('./commands/import.js').then(runOf),
  },
  {
    name: 'startup',
    description: 'install a systemd unit that starts the daemon (and resurrects dump.json) at boot',
    options: [
      { flags: '--print', description: 'only print the unit' },
      { flags: '--install', description: 'write and enable the unit (the default)' },
      { flags: '--user [name]', description: 'alone: a user unit (systemd --user); with a name: a system unit running as that user' },
    ],
    examples: ['sudo apictl startup', 'apictl startup --print', 'apictl startup --user'],
    load: () => import('./commands/startup.js').then(runOf),
  },
  {
    name: 'unstartup',
    description: 'disable and remove the unit `startup` installed',
    options: [{ flags: '--user [name]', description: 'as given to startup' }],
    examples: ['sudo apictl unstartup'],
    load: () => import('./commands/startup.js').then((module) => module.runUninstall as Run),
  },
  {
    name: 'completion',
    description: 'print a shell completion script (commands, options, service names)',
    args: ['<shell>'],
    examples: ['apictl completion bash > /etc/bash_completion.d/apictl', 'apictl completion zsh > "${fpath[1]}/_apictl"', 'apictl completion fish > ~/.config/fish/completions/apictl.fish'],
    load: () => import('./commands/completion.js').then(runOf),
  },
  {
    name: 'ping',
    description: 'check the daemon answers',
    examples: ['apictl ping'],
    load: () => import('./commands/ping.js').then(runOf),
  },
  {
    name: 'kill',
    description: 'stop every service gracefully, then the daemon',
    examples: ['apictl kill'],
    load: () => import('./commands/kill.js').then(runOf),
  },
  {
    name: 'export',
    description: 'write Compose, Kubernetes, systemd, nginx or HAProxy files for a services file (or the running services)',
    args: ['<compose|k8s|systemd|nginx|haproxy>', '[file]'],
    options: [
      { flags: '--out <dir>', description: 'write the files into this folder (default: print them)' },
      { flags: '--strict', description: 'fail (exit 1, nothing written) when a field has no equivalent in the target' },
    ],
    examples: ['apictl export k8s services.json --out deploy/', 'apictl export compose > docker-compose.yml', 'apictl export nginx --strict'],
    load: () => import('./commands/export.js').then(runOf),
  },
  {
    name: 'metrics',
    description: 'print Prometheus metrics (instances; requests of balanced and routed services)',
    examples: ['apictl metrics', 'APICTL_METRICS_PORT=9464 apictl kill && apictl list   # then scrape http://127.0.0.1:9464/metrics'],
    load: () => import('./commands/metrics.js').then(runOf),
  },
  {
    name: 'update',
    description: 'replace the running daemon with the installed apictl build; services keep running (same pids)',
    examples: ['npm i -g apictl@latest && apictl update'],
    load: () => import('./commands/update.js').then(runOf),
  },
  {
    name: 'daemon',
    description: 'run the daemon in the foreground (for systemd and other inits)',
    options: [{ flags: '--resurrect', description: 'also start what dump.json lists (as at boot)' }],
    examples: ['apictl daemon --resurrect'],
    load: () => import('./commands/daemon.js').then(runOf),
  },
  {
    // Used by the completion scripts: names of registered services, nothing when no daemon runs (never starts one).
    name: '__names',
    description: 'print the names of registered services (for completion scripts)',
    hidden: true,
    load: () => import('./commands/names.js').then(runOf),
  },
];

export const ROOT_DESCRIPTION = 'Keep API services alive on one machine: R Plumber, Python, Node/TypeScript, any executable.';

export const ROOT_FOOTER = `
Durations (flags and services-file fields alike): ${DURATION_RULE}.
Sizes: bytes, or 300M, 1G, 512K.

Environment:
  APICTL_HOME           where apictl keeps its state (default ~/.apictl)
  APICTL_PORT_BASE      first port tried for services given no port (default 8000)
  APICTL_BALANCER_HOST  address balancers listen on, read by the daemon (default 127.0.0.1)
  APICTL_LOG_MAX_SIZE   log rotation size for services that set none, read by the daemon (default 10M)
  APICTL_LOG_KEEP       rotated log files kept, read by the daemon (default 5)
  APICTL_SCALE_MEMORY_FLOOR  no instance is autoscaled up below this free memory, read by the daemon (default 5% of RAM, >= 256M)
  APICTL_DAEMON_LOG_MAX_SIZE  daemon.log rotation size (default 10M)
  APICTL_METRICS_PORT   serve Prometheus metrics at http://127.0.0.1:PORT/metrics, read by the daemon
  APICTL_METRICS_HOST   address of that port (default 127.0.0.1)
  APICTL_NODE_FLAGS     node flags the keeper starts the daemon with (default --max-semi-space-size=1 --expose-gc --no-sparkplug --no-turbofan --no-compilation-cache)
  APICTL_CHECKS_IDLE_MS how long the daemon keeps the services-file checks loaded after use (default 2000)
  NO_COLOR              no colour in output

Examples:
  apictl start app.py --port 8080 --health /health
  apictl start services.json
  apictl logs api -f
  apictl help start`;

import { ApictlError } from '../errors.js';
import { VERSION } from '../version.js';
import { parseCommandLine, renderHelp, type CommandSpec } from './args.js';

type Run = (...args: never[]) => Promise<void>;

const runOf = (module: { run: unknown }) => module.run as Run;

interface Command extends CommandSpec {
  /** Loads the command's module only when it runs: `list` never pays for blessed or zod. */
  load: () => Promise<Run>;
}

const DESCRIPTION = 'Keep API services alive on one machine: R Plumber, Python, Node/TypeScript, any executable.';

const json = { flags: '--json', description: 'print the result as JSON' };
const noWait = { flags: '--no-wait', description: 'return without waiting for ready' };
const waitTimeout = { flags: '--wait-timeout <duration>', description: 'how long to wait for ready (default 30s)' };

function control(name: 'stop' | 'restart' | 'reload' | 'delete', description: string): Command {
  return {
    name,
    aliases: name === 'delete' ? ['del'] : undefined,
    description,
    args: ['<name|all>'],
    options: name === 'restart' || name === 'reload' ? [json, noWait, waitTimeout] : [json],
    load: () => import('./commands/control.js').then((module) => module.commands[name] as Run),
  };
}

export const COMMANDS: Command[] = [
  {
    name: 'start',
    description: 'start a script, or every service of a services file (.json)',
    args: ['<script|file.json>', '[args...]'],
    options: [
      { flags: '--name <name>', description: 'service name (default: script name)' },
      { flags: '--interpreter <bin>', description: 'program that runs the script (node, python3, Rscript, ..., or none)' },
      { flags: '--interpreter-args <args>', description: 'arguments for the interpreter, e.g. "--max-old-space-size=512"' },
      { flags: '--port <port>', description: 'port for the service (default: first free from 8000)' },
      { flags: '--no-port', description: 'the service listens on no port (ready after 1 s alive)' },
      { flags: '--instances <n>', description: "processes to run behind apictl's balancer on the port" },
      { flags: '--cwd <dir>', description: 'working directory of the service' },
      { flags: '--env <KEY=VALUE>', description: 'environment variable', repeatable: true },
      { flags: '--env-file <file>', description: 'dotenv file read at every start' },
      { flags: '--watch [paths]', description: 'restart when files change (comma-separated paths; default: the cwd)' },
      { flags: '--ignore <paths>', description: 'comma-separated paths/globs the watcher ignores' },
      { flags: '--max-memory <size>', description: 'restart an instance above this memory, e.g. 300M' },
      { flags: '--health <path>', description: 'HTTP path that answers 2xx when ready/healthy, e.g. /health' },
      { flags: '--restart <policy>', description: 'restart policy', choices: ['always', 'on-failure', 'never'] },
      { flags: '--kill-timeout <duration>', description: 'wait this long after the stop signal before SIGKILL (default 5s)' },
      { flags: '--stop-signal <signal>', description: 'signal that asks the service to stop (default SIGTERM; SIGINT for Rscript)' },
      { flags: '--no-wait', description: 'return without waiting for the service to be ready' },
      waitTimeout,
      { flags: '--only <names>', description: 'with a services file: start only these (comma-separated)' },
      json,
    ],
    load: () => import('./commands/start.js').then(runOf),
  },
  control('stop', 'stop a service (or all); it stays registered'),
  control('restart', 'restart a service (or all)'),
  control('reload', 'replace instances one at a time, each new one ready before the old stops'),
  control('delete', 'stop a service (or all) and forget it'),
  {
    name: 'list',
    aliases: ['ls'],
    description: 'show every service and instance: status, pid, port, cpu, memory, restarts, uptime',
    options: [{ flags: '--json', description: 'print one JSON array' }],
    load: () => import('./commands/list.js').then(runOf),
  },
  {
    name: 'show',
    description: 'everything known about one service',
    args: ['<name>'],
    options: [{ flags: '--json', description: 'print JSON' }],
    load: () => import('./commands/show.js').then(runOf),
  },
  {
    name: 'logs',
    description: 'print recent log lines (all services merged by time, or one), then follow',
    args: ['[name]'],
    options: [
      { flags: '--lines <n>', description: 'how many recent lines', default: '15' },
      { flags: '--no-follow', description: 'print and exit' },
      { flags: '--err', description: 'stderr only' },
      { flags: '--out', description: 'stdout only' },
      { flags: '--json', description: 'one JSON object per line: {time, service, instance, stream, line}' },
      { flags: '--daemon', description: "show the daemon's own log" },
    ],
    load: () => import('./commands/logs.js').then(runOf),
  },
  {
    name: 'flush',
    description: 'empty the log files of a service (or all)',
    args: ['[name]'],
    load: () => import('./commands/flush.js').then(runOf),
  },
  {
    name: 'monit',
    description: 'live dashboard: every instance with CPU, memory, restarts; history and logs of the selected one',
    load: () => import('./commands/monit.js').then(runOf),
  },
  {
    name: 'save',
    description: 'write every service definition to dump.json',
    load: () => import('./commands/save.js').then(runOf),
  },
  {
    name: 'resurrect',
    description: 'start the services listed in dump.json (running ones are skipped)',
    options: [noWait],
    load: () => import('./commands/resurrect.js').then(runOf),
  },
  {
    name: 'startup',
    description: 'install a systemd unit that starts the daemon (and resurrects dump.json) at boot',
    options: [
      { flags: '--print', description: 'only print the unit' },
      { flags: '--install', description: 'write and enable the unit (the default)' },
      { flags: '--user [name]', description: 'alone: a user unit (systemd --user); with a name: a system unit running as that user' },
    ],
    load: () => import('./commands/startup.js').then(runOf),
  },
  {
    name: 'unstartup',
    description: 'disable and remove the unit `startup` installed',
    options: [{ flags: '--user [name]', description: 'as given to startup' }],
    load: () => import('./commands/startup.js').then((module) => module.runUninstall as Run),
  },
  {
    name: 'metrics',
    description: 'print Prometheus metrics (instances; requests of balanced and routed services)',
    load: () => import('./commands/metrics.js').then(runOf),
  },
  {
    name: 'ping',
    description: 'check the daemon answers',
    load: () => import('./commands/ping.js').then(runOf),
  },
  {
    name: 'kill',
    description: 'stop every service gracefully, then the daemon',
    load: () => import('./commands/kill.js').then(runOf),
  },
  {
    name: 'daemon',
    description: 'run the daemon in the foreground (for systemd and other inits)',
    options: [{ flags: '--resurrect', description: 'also start what dump.json lists (as at boot)' }],
    load: () => import('./commands/daemon.js').then(runOf),
  },
];

/** The one exit point: user errors as one line plus hint, bugs with a stack. */
export async function main(argv: string[]): Promise<number> {
  const wantsJson = argv.includes('--json');
  try {
    const parsed = parseCommandLine(argv.slice(2), COMMANDS);
    if (parsed.kind === 'version') {
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    if (parsed.kind === 'help') {
      process.stdout.write(renderHelp(COMMANDS, parsed.command, DESCRIPTION));
      return 0;
    }
    const run = await (parsed.command as Command).load();
    // Arguments in the order the command declares them, then the options.
    await (run as (...args: unknown[]) => Promise<void>)(...parsed.args, parsed.options);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    return reportError(error, wantsJson);
  }
}

function reportError(error: unknown, json: boolean): number {
  if (error instanceof ApictlError) {
    if (json) {
      process.stdout.write(JSON.stringify({ error: error.toPayload() }) + '\n');
      return 1;
    }
    const lines = [`apictl: ${error.message}`];
    const issues = error.details?.issues ?? [];
    if (issues.length > 1 || (issues.length === 1 && !error.message.includes(issues[0]!))) lines.push(...issues.map((issue) => `  - ${issue}`));
    if (error.details?.lastLines?.length) lines.push('last lines it logged:', ...error.details.lastLines.map((line) => `  ${line}`));
    if (error.hint) lines.push(`hint: ${error.hint}`);
    process.stderr.write(lines.join('\n') + '\n');
    return 1;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`apictl: internal error (please report this):\n${text}\n`);
  return 1;
}

import { Command, Option } from 'commander';
import { ApictlError } from '../errors.js';
import { VERSION } from '../version.js';

type Loader = () => Promise<{ run: (...args: never[]) => Promise<void> }>;

/** Loads a command module only when it runs: `list` never pays for blessed or zod. */
function lazy(load: Loader) {
  return async (...args: unknown[]) => {
    const module = await load();
    await (module.run as (...a: unknown[]) => Promise<void>)(...args);
  };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

type Registrar = (program: Command) => void;

/** One registrar per command, so a run builds only the command it invokes (start-up time). */
const COMMANDS: Record<string, Registrar> = {
  start: (program) =>
    program
      .command('start')
      .description('start a script, or every service of a services file (.json)')
      .argument('<script|file.json>', 'script to run, or a services file')
      .argument('[args...]', 'arguments for the script (after --)')
      .option('--name <name>', 'service name (default: script name)')
      .option('--interpreter <bin>', 'program that runs the script (node, python3, Rscript, ..., or none)')
      .option('--interpreter-args <args>', 'arguments for the interpreter, e.g. "--max-old-space-size=512"')
      .option('--port <port>', 'port for the service (default: first free from 8000)')
      .option('--no-port', 'the service listens on no port (ready after 1 s alive)')
      .option('--instances <n>', "processes to run behind apictl's balancer on the port")
      .option('--cwd <dir>', 'working directory of the service')
      .option('--env <KEY=VALUE>', 'environment variable (repeatable)', collect)
      .option('--env-file <file>', 'dotenv file read at every start')
      .option('--watch [paths]', 'restart when files change (comma-separated paths; default: the cwd)')
      .option('--ignore <paths>', 'comma-separated paths/globs the watcher ignores')
      .option('--max-memory <size>', 'restart an instance above this memory, e.g. 300M')
      .option('--health <path>', 'HTTP path that answers 2xx when ready/healthy, e.g. /health')
      .addOption(new Option('--restart <policy>', 'restart policy').choices(['always', 'on-failure', 'never']))
      .option('--kill-timeout <duration>', 'wait this long after the stop signal before SIGKILL (default 5s)')
      .option('--stop-signal <signal>', 'signal that asks the service to stop (default SIGTERM; SIGINT for Rscript)')
      .option('--no-wait', 'return without waiting for the service to be ready')
      .option('--wait-timeout <duration>', 'how long to wait for ready (default 30s)')
      .option('--only <names>', 'with a services file: start only these (comma-separated)')
      .option('--json', 'print the result as JSON')
      .action(lazy(() => import('./commands/start.js'))),
  stop: control('stop', 'stop a service (or all); it stays registered'),
  restart: control('restart', 'restart a service (or all)'),
  reload: control('reload', 'replace instances one at a time, each new one ready before the old stops'),
  delete: control('delete', 'stop a service (or all) and forget it'),
  list: (program) =>
    program
      .command('list')
      .alias('ls')
      .description('show every service and instance: status, pid, port, cpu, memory, restarts, uptime')
      .option('--json', 'print one JSON array')
      .action(lazy(() => import('./commands/list.js'))),
  show: (program) =>
    program
      .command('show')
      .description('everything known about one service')
      .argument('<name>')
      .option('--json', 'print JSON')
      .action(lazy(() => import('./commands/show.js'))),
  logs: (program) =>
    program
      .command('logs')
      .description('print recent log lines (all services merged by time, or one), then follow')
      .argument('[name]', 'service name (default: all)')
      .option('--lines <n>', 'how many recent lines', '15')
      .option('--no-follow', 'print and exit')
      .option('--err', 'stderr only')
      .option('--out', 'stdout only')
      .option('--json', 'one JSON object per line: {time, service, instance, stream, line}')
      .option('--daemon', "show the daemon's own log")
      .action(lazy(() => import('./commands/logs.js'))),
  flush: (program) =>
    program
      .command('flush')
      .description('empty the log files of a service (or all)')
      .argument('[name]')
      .action(lazy(() => import('./commands/flush.js'))),
  monit: (program) =>
    program
      .command('monit')
      .description('live dashboard: every instance with CPU, memory, restarts; history and logs of the selected one')
      .action(lazy(() => import('./commands/monit.js'))),
  save: (program) =>
    program.command('save').description('write every service definition to dump.json').action(lazy(() => import('./commands/save.js'))),
  resurrect: (program) =>
    program
      .command('resurrect')
      .description('start the services listed in dump.json (running ones are skipped)')
      .option('--no-wait', 'return without waiting for ready')
      .action(lazy(() => import('./commands/resurrect.js'))),
  startup: (program) =>
    program
      .command('startup')
      .description('install a systemd unit that starts the daemon (and resurrects dump.json) at boot')
      .option('--print', 'only print the unit')
      .option('--install', 'write and enable the unit (the default)')
      .option('--user [name]', 'alone: a user unit (systemd --user); with a name: a system unit running as that user')
      .action(lazy(() => import('./commands/startup.js'))),
  unstartup: (program) =>
    program
      .command('unstartup')
      .description('disable and remove the unit `startup` installed')
      .option('--user [name]', 'as given to startup')
      .action(lazy(() => import('./commands/startup.js').then((module) => ({ run: module.runUninstall })))),
  ping: (program) => program.command('ping').description('check the daemon answers').action(lazy(() => import('./commands/ping.js'))),
  kill: (program) =>
    program.command('kill').description('stop every service gracefully, then the daemon').action(lazy(() => import('./commands/kill.js'))),
  daemon: (program) =>
    program
      .command('daemon')
      .description('run the daemon in the foreground (for systemd and other inits)')
      .option('--resurrect', 'also start what dump.json lists (as at boot)')
      .action(lazy(() => import('./commands/daemon.js'))),
};

const ALIASES: Record<string, string> = { ls: 'list', del: 'delete' };

function control(name: 'stop' | 'restart' | 'reload' | 'delete', description: string): Registrar {
  return (program) => {
    const command = program
      .command(name)
      .description(description)
      .argument('<name|all>', 'service name, or "all"')
      .option('--json', 'print the result as JSON');
    if (name === 'delete') command.alias('del');
    if (name === 'restart' || name === 'reload') {
      command.option('--no-wait', 'return without waiting for ready').option('--wait-timeout <duration>', 'how long to wait for ready (default 30s)');
    }
    command.action(lazy(() => import('./commands/control.js').then((module) => ({ run: module.commands[name] }))));
  };
}

export function buildProgram(argv: string[] = []): Command {
  const program = new Command('apictl')
    .description('Keep API services alive on one machine: R Plumber, Python, Node/TypeScript, any executable.')
    .version(VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions();
  const invoked = argv[2] ? (ALIASES[argv[2]] ?? argv[2]) : undefined;
  const registrar = invoked ? COMMANDS[invoked] : undefined;
  if (registrar) registrar(program);
  else for (const register of Object.values(COMMANDS)) register(program);
  return program;
}

/** The one exit point: user errors as one line plus hint, bugs with a stack. */
export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  try {
    await buildProgram(argv).exitOverride().parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    return reportError(error, json);
  }
}

function reportError(error: unknown, json: boolean): number {
  const code = (error as { code?: string }).code ?? '';
  if (code.startsWith('commander.')) {
    const exit = (error as { exitCode?: number }).exitCode ?? 1;
    return code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help' ? 0 : exit;
  }
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

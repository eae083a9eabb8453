import { describe, expect, it } from 'vitest';
import { closest, parseCommandLine, renderHelp, type CommandSpec } from '../../src/cli/args.js';
import { COMMANDS } from '../../src/cli/main.js';

const run = (argv: string[]) => {
  const parsed = parseCommandLine(argv, COMMANDS);
  if (parsed.kind !== 'run') throw new Error(`expected a run, got ${parsed.kind}`);
  return { name: parsed.command.name, args: parsed.args, options: parsed.options };
};
const usageError = (argv: string[]) => {
  try {
    parseCommandLine(argv, COMMANDS);
  } catch (error) {
    return `${(error as Error).message} | ${(error as { hint?: string }).hint}`;
  }
  throw new Error('expected a usage error');
};

describe('parseCommandLine', () => {
  it('binds positional arguments in order, variadic last, and keeps -- args literal', () => {
    expect(run(['start', 'api.ts', '--', '--port', '$(touch x)'])).toMatchObject({
      name: 'start',
      args: ['api.ts', ['--port', '$(touch x)']],
      options: { wait: true },
    });
    expect(run(['start', 'api.py', 'a', 'b', '--name', 'api'])).toMatchObject({ args: ['api.py', ['a', 'b']], options: { name: 'api' } });
    expect(run(['logs'])).toMatchObject({ args: [undefined], options: { lines: '15', follow: true } });
  });

  it('reads values after a space or =, repeats, negations and optional values', () => {
    expect(run(['start', 'a.js', '--env', 'A=1', '--env=B=2', '--port=8100', '--no-wait']).options).toEqual({
      env: ['A=1', 'B=2'],
      port: '8100',
      wait: false,
    });
    // --no-port beside --port <port>: unset unless given, false when negated.
    expect(run(['start', 'a.js']).options).not.toHaveProperty('port');
    expect(run(['start', 'a.js', '--no-port']).options.port).toBe(false);
    expect(run(['start', 'a.js', '--watch']).options.watch).toBe(true);
    expect(run(['start', 'a.js', '--watch', 'src,lib']).options.watch).toBe('src,lib');
    expect(run(['start', 'a.js', '--watch', '--no-wait']).options).toMatchObject({ watch: true, wait: false });
    expect(run(['startup', '--user']).options.user).toBe(true);
    expect(run(['startup', '--user', 'deploy']).options.user).toBe('deploy');
    expect(run(['logs', 'api', '--lines', '-1']).options.lines).toBe('-1');
  });

  it('resolves aliases and the help and version forms', () => {
    expect(run(['ls', '--json'])).toMatchObject({ name: 'list', options: { json: true } });
    expect(run(['del', 'api'])).toMatchObject({ name: 'delete', args: ['api'] });
    expect(parseCommandLine([], COMMANDS)).toEqual({ kind: 'help', command: null });
    expect(parseCommandLine(['--version'], COMMANDS)).toEqual({ kind: 'version' });
    expect(parseCommandLine(['-v'], COMMANDS)).toEqual({ kind: 'version' });
    expect(parseCommandLine(['help', 'ls'], COMMANDS)).toMatchObject({ kind: 'help', command: { name: 'list' } });
    expect(parseCommandLine(['start', 'x.js', '--help'], COMMANDS)).toMatchObject({ kind: 'help', command: { name: 'start' } });
  });

  it('names what is wrong and what to do, suggesting near misses', () => {
    expect(usageError(['lsit'])).toBe("unknown command 'lsit' | did you mean 'list'? apictl --help lists the commands");
    expect(usageError(['frobnicate'])).toBe("unknown command 'frobnicate' | apictl --help lists the commands");
    expect(usageError(['start'])).toBe('start needs script|file.json | apictl start --help shows its arguments and options');
    expect(usageError(['stop'])).toBe('stop needs name|all | apictl stop --help shows its arguments and options');
    expect(usageError(['list', 'extra'])).toBe("list takes no arguments; got 'extra' too | apictl list --help shows its arguments and options");
    expect(usageError(['show', 'a', 'b'])).toBe("show takes at most 1; got 'b' too | apictl show --help shows its arguments and options");
    expect(usageError(['start', 'a.js', '--restrat', 'never'])).toMatch(/^unknown option '--restrat' for start \| did you mean --restart\?/);
    expect(usageError(['start', 'a.js', '--restart', 'sometimes'])).toMatch(/^option --restart must be one of always, on-failure, never \(got 'sometimes'\)/);
    expect(usageError(['start', 'a.js', '--name'])).toMatch(/^option '--name <name>' needs a value/);
    expect(usageError(['list', '--json=yes'])).toMatch(/^option --json takes no value/);
    expect(usageError(['list', '-x'])).toMatch(/^unknown option '-x' for list/);
    expect(usageError(['--json'])).toMatch(/^unknown option '--json' \| options go after the command/);
  });
});

describe('renderHelp', () => {
  it('lists every command with its usage, and a command with its options, choices and defaults', () => {
    const all = renderHelp(COMMANDS, null, 'apictl');
    for (const command of COMMANDS) expect(all).toMatch(new RegExp(`^  ${command.name}\\b`, 'm'));
    const start = renderHelp(COMMANDS, COMMANDS.find((command) => command.name === 'start')!, 'apictl');
    expect(start).toContain('Usage: apictl start [options] <script|file.json> [args...]');
    expect(start).toMatch(/--restart <policy> +restart policy \(one of: always, on-failure, never\)/);
    expect(start).toMatch(/--env <KEY=VALUE> +environment variable \(repeatable\)/);
    const logs = renderHelp(COMMANDS, COMMANDS.find((command) => command.name === 'logs')!, 'apictl');
    expect(logs).toMatch(/--lines <n> +how many recent lines \(default: 15\)/);
    const list = renderHelp(COMMANDS, COMMANDS.find((command) => command.name === 'list')!, 'apictl');
    expect(list).toContain('Alias: ls');
  });
});

describe('closest', () => {
  it('suggests only near misses', () => {
    expect(closest('stpo', ['start', 'stop', 'show'])).toBe('stop');
    expect(closest('zzz', ['start', 'stop'])).toBeNull();
    const none: CommandSpec[] = [];
    expect(closest('x', none.map((command) => command.name))).toBeNull();
  });
});

import { ApictlError } from '../errors.js';

// apictl's command line: a table of commands, a parser and the help text.
// Written out here rather than taken from commander, which cost 20 of the
// ~45 ms every command spent over `node -e 0` (measured; see README
// "Performance"). Pure: no I/O, so every rule below is unit-tested.

export interface OptionSpec {
  /** commander-style: `--json`, `--name <name>` (value required), `--user [name]` (value optional), `--no-wait`. */
  flags: string;
  description: string;
  default?: string;
  /** Each use adds to a list (`--env A=1 --env B=2`). */
  repeatable?: boolean;
  choices?: string[];
}

export interface CommandSpec {
  name: string;
  aliases?: string[];
  description: string;
  /** `<name>` required, `[name]` optional, `[args...]` the rest. */
  args?: string[];
  options?: OptionSpec[];
}

export type ParsedCommandLine =
  | { kind: 'help'; command: CommandSpec | null }
  | { kind: 'version' }
  | { kind: 'run'; command: CommandSpec; args: (string | string[] | undefined)[]; options: Record<string, unknown> };

interface ParsedOption {
  long: string;
  /** camelCase key in the options object; `--no-wait` → `wait`. */
  key: string;
  value: 'none' | 'required' | 'optional';
  negated: boolean;
  spec: OptionSpec;
}

const HELP_OPTION: OptionSpec = { flags: '-h, --help', description: 'show help for the command' };

const camel = (name: string) => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

function parseFlags(spec: OptionSpec): ParsedOption {
  const match = /^--([a-z][a-z0-9-]*)(?: ([<[])[^>\]]+[>\]])?$/.exec(spec.flags);
  if (!match) throw new Error(`bad option flags: ${spec.flags}`);
  const long = match[1]!;
  const negated = long.startsWith('no-');
  const value = match[2] === '<' ? 'required' : match[2] === '[' ? 'optional' : 'none';
  return { long, key: camel(negated ? long.slice(3) : long), value, negated, spec };
}

const usageError = (message: string, hint: string) => new ApictlError('APICTL_USAGE', message, { hint });

/** Pure: the closest candidate by edit distance, when it is close enough to be a typo. */
export function closest(word: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best !== null && bestDistance <= Math.max(1, Math.floor(best.length / 2)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}

function findCommand(commands: CommandSpec[], name: string): CommandSpec | undefined {
  return commands.find((command) => command.name === name || command.aliases?.includes(name));
}

/** Pure: what the user asked for. Throws an APICTL_USAGE error naming what is wrong. */
export function parseCommandLine(argv: string[], commands: CommandSpec[]): ParsedCommandLine {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help') return { kind: 'help', command: null };
  if (first === '-v' || first === '--version') return { kind: 'version' };
  if (first === 'help') {
    const about = rest[0] === undefined ? null : findCommand(commands, rest[0]);
    if (about === undefined) throw unknownCommand(rest[0]!, commands);
    return { kind: 'help', command: about };
  }
  if (first.startsWith('-')) {
    throw usageError(`unknown option '${first}'`, 'options go after the command: apictl <command> [options]; apictl --help lists the commands');
  }
  const command = findCommand(commands, first);
  if (!command) throw unknownCommand(first, commands);
  return parseCommand(command, rest);
}

function unknownCommand(name: string, commands: CommandSpec[]): ApictlError {
  const suggestion = closest(name, commands.flatMap((command) => [command.name, ...(command.aliases ?? [])]));
  return usageError(`unknown command '${name}'`, `${suggestion ? `did you mean '${suggestion}'? ` : ''}apictl --help lists the commands`);
}

function parseCommand(command: CommandSpec, tokens: string[]): ParsedCommandLine {
  const specs = (command.options ?? []).map(parseFlags);
  const hint = `apictl ${command.name} --help shows its arguments and options`;
  const options: Record<string, unknown> = {};
  for (const option of specs) {
    if (option.spec.default !== undefined) options[option.key] = option.spec.default;
    // `--no-wait` alone: wait is true unless turned off; beside `--port <port>` it stays unset.
    else if (option.negated && !specs.some((other) => other.key === option.key && !other.negated)) options[option.key] = true;
  }
  const positionals: string[] = [];
  let onlyPositionals = false;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (onlyPositionals || token === '-' || !token.startsWith('-') || /^-\d/.test(token)) {
      positionals.push(token);
      continue;
    }
    if (token === '--') {
      onlyPositionals = true;
      continue;
    }
    if (token === '-h' || token === '--help') return { kind: 'help', command };
    const equals = token.indexOf('=');
    const long = token.slice(2, equals === -1 ? undefined : equals);
    const inline = equals === -1 ? undefined : token.slice(equals + 1);
    const option = token.startsWith('--') ? specs.find((spec) => spec.long === long) : undefined;
    if (!option) {
      const suggestion = token.startsWith('--') ? closest(long, specs.map((spec) => spec.long)) : null;
      throw usageError(`unknown option '${token}' for ${command.name}`, suggestion ? `did you mean --${suggestion}? ${hint}` : hint);
    }
    let value: string | boolean;
    if (option.value === 'none') {
      if (inline !== undefined) throw usageError(`option --${option.long} takes no value`, hint);
      value = !option.negated;
    } else if (inline !== undefined) {
      value = inline;
    } else if (option.value === 'required') {
      const next = tokens[index + 1];
      if (next === undefined) throw usageError(`option '${option.spec.flags}' needs a value`, hint);
      value = next;
      index++;
    } else {
      const next = tokens[index + 1];
      const takesNext = next !== undefined && !next.startsWith('-');
      value = takesNext ? next : true;
      if (takesNext) index++;
    }
    if (option.spec.choices && typeof value === 'string' && !option.spec.choices.includes(value)) {
      throw usageError(`option --${option.long} must be one of ${option.spec.choices.join(', ')} (got '${value}')`, hint);
    }
    if (option.spec.repeatable && typeof value === 'string') options[option.key] = [...((options[option.key] as string[] | undefined) ?? []), value];
    else options[option.key] = value;
  }
  return { kind: 'run', command, args: bindArguments(command, positionals, hint), options };
}

function bindArguments(command: CommandSpec, positionals: string[], hint: string): (string | string[] | undefined)[] {
  const specs = command.args ?? [];
  const bound: (string | string[] | undefined)[] = [];
  let index = 0;
  for (const spec of specs) {
    const name = spec.slice(1, -1).replace(/\.\.\.$/, '');
    if (spec.endsWith('...]') || spec.endsWith('...>')) {
      bound.push(positionals.slice(index));
      index = positionals.length;
    } else if (index < positionals.length) {
      bound.push(positionals[index++]);
    } else if (spec.startsWith('<')) {
      throw usageError(`${command.name} needs ${name}`, hint);
    } else {
      bound.push(undefined);
    }
  }
  if (index < positionals.length) {
    throw usageError(`${command.name} takes ${specs.length === 0 ? 'no arguments' : `at most ${specs.length}`}; got '${positionals.slice(index).join(' ')}' too`, hint);
  }
  return bound;
}

function columns(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`.trimEnd());
}

function usageOf(command: CommandSpec): string {
  return [command.name, (command.options ?? []).length > 0 ? '[options]' : '', ...(command.args ?? [])].filter(Boolean).join(' ');
}

/** Pure: the help text, for the whole program (`command` null) or one command. */
export function renderHelp(commands: CommandSpec[], command: CommandSpec | null, description: string): string {
  if (!command) {
    return [
      'Usage: apictl <command> [options]',
      '',
      description,
      '',
      'Commands:',
      ...columns(commands.map((spec) => [usageOf(spec), spec.description])),
      '',
      'Options:',
      ...columns([
        ['-v, --version', 'print the version'],
        ['-h, --help', 'show this help; apictl <command> --help shows a command'],
      ]),
      '',
    ].join('\n');
  }
  const lines = [`Usage: apictl ${usageOf(command)}`, ''];
  if (command.aliases?.length) lines.push(`Alias: ${command.aliases.join(', ')}`, '');
  lines.push(command.description, '');
  const options = [...(command.options ?? []), HELP_OPTION];
  lines.push(
    'Options:',
    ...columns(
      options.map((option) => [
        option.flags,
        [
          option.description,
          option.choices ? `(one of: ${option.choices.join(', ')})` : '',
          option.default !== undefined ? `(default: ${option.default})` : '',
          option.repeatable ? '(repeatable)' : '',
        ]
          .filter(Boolean)
          .join(' '),
      ]),
    ),
    '',
  );
  return lines.join('\n');
}

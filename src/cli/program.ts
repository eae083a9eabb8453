import { Command, Option } from 'commander';
import { VERSION } from '../version.js';
import { ROOT_DESCRIPTION, ROOT_FOOTER, type CommandSpec, type OptionSpec, type Run } from './commands.js';

/** The command that commander picked, with its arguments in declared order and then its options. */
export interface Invocation {
  spec: CommandSpec;
  args: unknown[];
}

function createOption(spec: OptionSpec): Option {
  const option = new Option(spec.flags, spec.description);
  if (spec.default !== undefined) option.default(spec.default);
  if (spec.choices) option.choices(spec.choices);
  if (spec.repeatable) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
  return option;
}

/**
 * The commander program for the table. Parsing only records what to run
 * (`invoked`); the command's module is loaded afterwards, so `--help` and
 * usage errors cost no command code. Errors throw (exitOverride) and are
 * printed by main, the one exit point.
 */
export function createProgram(commands: CommandSpec[], invoked: (invocation: Invocation) => void): Command {
  const program = new Command('apictl')
    .description(ROOT_DESCRIPTION)
    .version(VERSION, '-v, --version', 'print the version (also -V)')
    .helpOption('-h, --help', 'show help; apictl help <command> shows a command')
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showHelpAfterError(false)
    .addHelpText('after', ROOT_FOOTER);
  for (const spec of commands) {
    const command = program.command(spec.name, { hidden: spec.hidden }).description(spec.description);
    if (spec.aliases) command.aliases(spec.aliases);
    for (const argument of spec.args ?? []) command.argument(argument);
    for (const option of spec.options ?? []) command.addOption(createOption(option));
    if (spec.examples?.length) command.addHelpText('after', `\nExamples:\n${spec.examples.map((line) => `  ${line}`).join('\n')}`);
    command.action((...values: unknown[]) => {
      // commander passes the arguments, then the options, then the command itself.
      invoked({ spec, args: values.slice(0, -1) });
    });
  }
  return program;
}

export async function runInvocation(invocation: Invocation): Promise<void> {
  const run = (await invocation.spec.load()) as (...args: unknown[]) => Promise<void>;
  await (run as Run as (...args: unknown[]) => Promise<void>)(...invocation.args);
}

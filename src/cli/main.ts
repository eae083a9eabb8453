import { CommanderError } from 'commander';
import { ApictlError } from '../errors.js';
import { COMMANDS } from './commands.js';
import { createProgram, runInvocation, type Invocation } from './program.js';
import { reportError } from './report-error.js';

/** commander's "error: unknown option '--nam'\n(Did you mean --name?)" → a usage error with a hint. */
function usageError(error: CommanderError, argv: string[]): ApictlError {
  const [first = error.message, ...rest] = error.message.replace(/^error: /, '').split('\n');
  const suggestion = /\(Did you mean (.+)\?\)/.exec(rest.join(' '))?.[1];
  const command = COMMANDS.find((spec) => spec.name === argv[0] || spec.aliases?.includes(argv[0] ?? ''));
  const help = command ? `apictl ${command.name} --help shows its arguments and options` : 'apictl --help lists the commands';
  return new ApictlError('APICTL_USAGE', first.replace(/\.$/, ''), { hint: suggestion ? `did you mean ${suggestion}? ${help}` : help });
}

/** The one exit point: parses argv, runs the command, maps every error to exit code 1. */
export async function main(argv: string[]): Promise<number> {
  // `| head` closes our stdout: that is the reader saying "enough", not an error (for help and `logs -f` alike).
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(0);
    });
  }
  const args = argv.slice(2);
  if (args.length === 0) args.push('--help');
  if (args[0] === '-V') args[0] = '--version'; // pm2 and docker users type either
  const wantsJson = args.includes('--json');
  let invocation: Invocation | null = null;
  try {
    try {
      createProgram(COMMANDS, (chosen) => (invocation = chosen)).parse(args, { from: 'user' });
    } catch (error) {
      if (!(error instanceof CommanderError)) throw error;
      if (error.exitCode === 0) return 0; // --help, --version: already printed
      throw usageError(error, args);
    }
    if (invocation) await runInvocation(invocation);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    reportError(error, wantsJson);
    return 1;
  }
}

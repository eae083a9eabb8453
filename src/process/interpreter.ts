import { basename, extname } from 'node:path';

const BY_EXTENSION: Record<string, string> = {
  '.js': 'node', '.mjs': 'node', '.cjs': 'node',
  '.ts': 'node', '.mts': 'node', '.cts': 'node',
  '.py': 'python3',
  '.r': 'Rscript',
  '.sh': 'bash',
  '.rb': 'ruby',
};

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);

/** The interpreter a script gets: explicit, by extension, or "none" (exec directly). */
export function chooseInterpreter(script: string, explicit?: string): string {
  if (explicit && explicit.length > 0) return explicit;
  return BY_EXTENSION[extname(script).toLowerCase()] ?? 'none';
}

export function isNodeInterpreter(interpreter: string): boolean {
  return /^node(js)?$/.test(basename(interpreter));
}

export function isRscript(interpreter: string): boolean {
  return basename(interpreter) === 'Rscript';
}

/** SIGINT for Rscript: R dies on SIGTERM without running Plumber's exit hook. */
export function defaultStopSignal(interpreter: string): string {
  return isRscript(interpreter) ? 'SIGINT' : 'SIGTERM';
}

export interface CommandContext {
  /** The node binary running apictl; used when the interpreter is plain "node". */
  nodePath: string;
  /** file:// URL of tsx's loader, so Node 20 runs .ts files. */
  tsxLoaderUrl: string;
}

export interface CommandSpec {
  file: string;
  args: string[];
}

/** argv for one instance: never a shell string. `{port}` in args becomes the port. */
export function buildCommand(
  input: { script: string; interpreter?: string; interpreterArgs: string[]; args: string[]; port: number | null },
  context: CommandContext,
): CommandSpec {
  const interpreter = chooseInterpreter(input.script, input.interpreter);
  const args = input.args.map((arg) => (input.port === null ? arg : arg.replaceAll('{port}', String(input.port))));
  if (interpreter === 'none') return { file: input.script, args };
  const interpreterArgs = [...input.interpreterArgs];
  if (isNodeInterpreter(interpreter) && TYPESCRIPT.has(extname(input.script).toLowerCase())) {
    interpreterArgs.unshift('--import', context.tsxLoaderUrl);
  }
  const file = interpreter === 'node' ? context.nodePath : interpreter;
  return { file, args: [...interpreterArgs, input.script, ...args] };
}

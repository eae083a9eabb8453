import { ApictlError } from '../errors.js';

// How an error reaches the user: one line plus hint for what they can fix;
// a stack and "please report" for bugs (ours, in the CLI or in the daemon);
// with --json, one JSON object on stderr so stdout stays machine-readable.

export function reportError(error: unknown, json: boolean): void {
  const bug = !(error instanceof ApictlError) || error.code === 'APICTL_INTERNAL';
  if (json) {
    const payload = error instanceof ApictlError ? error.toPayload() : { code: 'APICTL_INTERNAL', message: String((error as Error)?.message ?? error), details: { stack: (error as Error)?.stack } };
    process.stderr.write(JSON.stringify({ error: payload }) + '\n');
    return;
  }
  if (bug) {
    const where = error instanceof ApictlError ? 'in the daemon' : 'in the CLI';
    const stack = error instanceof ApictlError ? (error.details?.stack ?? error.message) : error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`apictl: internal error ${where} (a bug: please report it with the lines below)\n${stack}\n`);
    return;
  }
  const lines = [`apictl: ${error.message}`];
  const issues = error.details?.issues ?? [];
  if (issues.length > 1 || (issues.length === 1 && !error.message.includes(issues[0]!))) lines.push(...issues.map((issue) => `  - ${issue}`));
  if (error.details?.lastLines?.length) lines.push('last lines it logged:', ...error.details.lastLines.map((line) => `  ${line}`));
  if (error.hint) lines.push(`hint: ${error.hint}`);
  process.stderr.write(lines.join('\n') + '\n');
}

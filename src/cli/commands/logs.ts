import { ApictlError } from '../../errors.js';
import { parseStoredLine } from '../../logs/log-line.js';
import type { LogLine, LogStream } from '../../protocol/methods.js';
import { readLastLines, readLastLinesRotated } from '../../logs/tail.js';
import { DEFAULT_LOG_KEEP } from '../../logs/log-file.js';
import { resolvePaths, serviceLogPath } from '../../state/paths.js';
import { paint, serviceColour, useColour } from '../output.js';
import { withDaemon } from '../session.js';

interface LogsOptions {
  lines: string;
  /** -f/--follow or --no-follow; following is the default. */
  follow?: boolean;
  /** pm2's name for --no-follow. */
  nostream?: boolean;
  err?: boolean;
  out?: boolean;
  json?: boolean;
  daemon?: boolean;
}

export async function run(name: string | undefined, options: LogsOptions): Promise<void> {
  const count = Number(options.lines);
  if (!Number.isInteger(count) || count < 0) throw new ApictlError('APICTL_USAGE', `--lines: expected a whole number, got "${options.lines}"`);
  if (options.err && options.out) throw new ApictlError('APICTL_USAGE', '--err and --out together: leave both out to see both');
  const streams: LogStream[] = options.err ? ['err'] : options.out ? ['out'] : ['out', 'err'];
  if (options.daemon) {
    // The daemon's own log is read from its file: no daemon needs to run (or be started) for it.
    for (const line of readLastLines(resolvePaths().daemonLog, count)) process.stdout.write(formatDaemonLine(line) + '\n');
    return;
  }
  await withDaemon(async (client, paths) => {
    const services = await client.call('list', {});
    if (name && !services.some((service) => service.name === name)) {
      throw new ApictlError('APICTL_UNKNOWN_SERVICE', `no service named "${name}"`, {
        hint: services.length ? `known: ${services.map((service) => service.name).join(', ')}` : 'nothing is registered yet',
      });
    }
    const selected = services.filter((service) => !name || service.name === name);
    const print = createPrinter(options.json ?? false, Boolean(name) && selected[0]!.instances.length <= 1);
    // Subscribe before reading history so nothing written in between is missed.
    const live: LogLine[] = [];
    let replaying = true;
    const following = (options.nostream ? false : (options.follow ?? true))
      ? client.call('logs', { target: name, stream: streams.length === 1 ? streams[0] : undefined }, {
          timeoutMs: null,
          onEvent: (message) => {
            if (message.event === 'skipped') {
              process.stderr.write(`apictl: ${message.data.events} lines skipped: this reader fell behind (the log files have them all)\n`);
              return;
            }
            if (replaying) live.push(message.data);
            else print(message.data);
          },
        })
      : null;
    const history = selected
      .flatMap((service) =>
        streams.flatMap((stream) =>
          readLastLinesRotated(serviceLogPath(paths, service.name, stream), count, service.definition.logKeep ?? DEFAULT_LOG_KEEP).map(
            (text) => parseStoredLine(text, service.name, stream),
          ),
        ),
      )
      .sort((a, b) => a.time - b.time)
      .slice(-count);
    for (const line of history) print(line);
    const seen = new Set(history.map(identity));
    const lastTime = history.at(-1)?.time ?? 0;
    for (const line of live) if (line.time > lastTime || (line.time === lastTime && !seen.has(identity(line)))) print(line);
    replaying = false;
    if (following) await following;
  });
}

function identity(line: LogLine): string {
  return `${line.time}|${line.service}|${line.instance}|${line.stream}|${line.line}`;
}

function createPrinter(json: boolean, single: boolean): (line: LogLine) => void {
  const colour = useColour();
  return (line) => {
    if (json) {
      const { time, service, instance, stream } = line;
      process.stdout.write(JSON.stringify({ time: new Date(time).toISOString(), service, instance, stream, line: line.line }) + '\n');
      return;
    }
    const tag = `${line.service}${single ? '' : `[${line.instance}]`}${line.stream === 'err' ? ':err' : ''}`;
    const time = paint('gray', new Date(line.time).toISOString(), colour);
    process.stdout.write(`${time} ${paint(serviceColour(line.service), tag, colour)} | ${line.line}\n`);
  };
}

function formatDaemonLine(text: string): string {
  try {
    const entry = JSON.parse(text) as Record<string, unknown>;
    const { time, level, msg, ...rest } = entry;
    const levels: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
    const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
    return `${String(time)} ${levels[Number(level)] ?? level} ${String(msg ?? '')}${extra}`;
  } catch {
    return text;
  }
}

import type { EventEmitter } from 'node:events';
import { parseSizeBytes } from '../config/units.js';
import { serviceLogPath, type HomePaths } from '../state/paths.js';
import type { ServiceDefinition } from '../types.js';
import { DEFAULT_LOG_MAX_LINE_BYTES } from './line-cutter.js';
import { DEFAULT_LOG_KEEP, DEFAULT_LOG_MAX_BYTES, type Stall } from './log-file.js';
import { parseStoredLine, type LogLine } from './log-line.js';
import { ServiceLogSink } from './service-log-sink.js';
import { readLastLinesRotated } from './tail.js';

/** How often each log file's path is checked (a deleted file or folder is recreated). */
export const PATH_CHECK_INTERVAL_MS = 1_000;

export interface RotationDefaults {
  maxBytes: number;
  keep: number;
}

/** Daemon-wide rotation defaults: APICTL_LOG_MAX_SIZE ("10M") and APICTL_LOG_KEEP; bad values are ignored. */
export function rotationDefaults(env: NodeJS.ProcessEnv): RotationDefaults {
  const keep = Number(env.APICTL_LOG_KEEP);
  return {
    maxBytes: parseSizeBytes(env.APICTL_LOG_MAX_SIZE) ?? DEFAULT_LOG_MAX_BYTES,
    keep: env.APICTL_LOG_KEEP !== undefined && Number.isInteger(keep) && keep >= 0 && keep <= 100 ? keep : DEFAULT_LOG_KEEP,
  };
}

/** One log sink per service; live lines go out as 'log' events on `events`. */
export class LogRegistry {
  private readonly sinks = new Map<string, { sink: ServiceLogSink; keep: number }>();
  private readonly checker: NodeJS.Timeout;

  constructor(
    private readonly paths: HomePaths,
    private readonly events: EventEmitter,
    private readonly onStall: (service: string, stall: Stall | null) => void,
    private readonly defaults: RotationDefaults = rotationDefaults(process.env),
    private readonly onWarn: (service: string, message: string, details: Record<string, unknown>) => void = () => undefined,
  ) {
    this.checker = setInterval(() => {
      for (const { sink } of this.sinks.values()) sink.checkPaths();
    }, PATH_CHECK_INTERVAL_MS);
    this.checker.unref();
  }

  create(definition: ServiceDefinition): ServiceLogSink {
    const { name } = definition;
    const keep = definition.logKeep ?? this.defaults.keep;
    const sink = new ServiceLogSink(
      name,
      { out: serviceLogPath(this.paths, name, 'out'), err: serviceLogPath(this.paths, name, 'err') },
      { maxBytes: definition.logMaxBytes ?? this.defaults.maxBytes, keep },
      {
        // Autoscaled up to several: every line says its instance, from the first one on.
        multiInstance: definition.instances > 1 || (definition.autoscale?.max ?? 1) > 1,
        stamp: definition.logDate !== false,
        maxLineBytes: definition.logMaxLineBytes ?? DEFAULT_LOG_MAX_LINE_BYTES,
        emit: (line) => this.events.emit('log', line),
        hasListeners: () => this.events.listenerCount('log') > 0,
        onStall: (stall) => this.onStall(name, stall),
        warn: (message, details) => this.onWarn(name, message, details),
      },
    );
    this.sinks.set(name, { sink, keep });
    return sink;
  }

  /** The last lines of some services from their files (both streams), merged by time. */
  recent(names: string[], limit: number): LogLine[] {
    const lines: LogLine[] = [];
    for (const name of names) {
      const keep = this.sinks.get(name)?.keep ?? this.defaults.keep;
      for (const stream of ['out', 'err'] as const) {
        for (const text of readLastLinesRotated(serviceLogPath(this.paths, name, stream), limit, keep)) lines.push(parseStoredLine(text, name, stream));
      }
    }
    // Stable: lines of one stream keep their order when stamped in the same millisecond.
    return lines.sort((a, b) => a.time - b.time).slice(-limit);
  }

  /** "out | line" / "err | line": what a failed start prints. */
  lastLines(name: string, limit = 15): string[] {
    return this.recent([name], limit).map((line) => `${line.stream} | ${line.line}`);
  }

  flush(names: string[]): void {
    for (const name of names) this.sinks.get(name)?.sink.flush();
  }

  /**
   * Closes this service's sink — only if it is still the registered one (a
   * new service may have taken the name). `handover`: pipes and carries stay
   * for the next daemon.
   */
  close(sink: ServiceLogSink, handover = false): void {
    sink.close(handover);
    if (this.sinks.get(sink.service)?.sink === sink) this.sinks.delete(sink.service);
  }

  closeAll(handover = false): void {
    clearInterval(this.checker);
    for (const { sink } of [...this.sinks.values()]) this.close(sink, handover);
  }
}

import type { EventEmitter } from 'node:events';
import { serviceLogPath, type HomePaths } from '../state/paths.js';
import type { ServiceDefinition } from '../types.js';
import type { LogLine } from './log-line.js';
import { DEFAULT_LOG_KEEP, DEFAULT_LOG_MAX_BYTES } from './rotating-file.js';
import { parseSizeBytes } from '../config/units.js';
import { ServiceLogSink } from './service-log-sink.js';

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
  private readonly sinks = new Map<string, ServiceLogSink>();

  constructor(
    private readonly paths: HomePaths,
    private readonly events: EventEmitter,
    private readonly defaults: RotationDefaults = rotationDefaults(process.env),
  ) {}

  create(definition: ServiceDefinition): ServiceLogSink {
    const { name } = definition;
    const sink = new ServiceLogSink(
      name,
      { out: serviceLogPath(this.paths, name, 'out'), err: serviceLogPath(this.paths, name, 'err') },
      { maxBytes: definition.logMaxBytes ?? this.defaults.maxBytes, keep: definition.logKeep ?? this.defaults.keep },
      (line) => this.events.emit('log', line),
      () => this.events.listenerCount('log') > 0,
      definition.instances > 1,
      definition.logDate !== false,
    );
    this.sinks.set(name, sink);
    return sink;
  }

  /** Recent lines of some services, merged by time. */
  recent(names: string[], limit: number): LogLine[] {
    return names.flatMap((name) => this.sinks.get(name)?.recentLines({ limit }) ?? []).sort((a, b) => a.time - b.time);
  }

  /** "out | line" / "err | line": what a failed start prints. */
  lastLines(name: string, limit = 15): string[] {
    return this.recent([name], limit).map((line) => `${line.stream} | ${line.line}`);
  }

  async flush(names: string[]): Promise<void> {
    await Promise.all(names.map((name) => this.sinks.get(name)?.flush()));
  }

  async close(name: string): Promise<void> {
    await this.sinks.get(name)?.close();
    this.sinks.delete(name);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sinks.keys()].map((name) => this.close(name)));
  }
}

import type { EventEmitter } from 'node:events';
import { serviceLogPath, type HomePaths } from '../state/paths.js';
import type { ServiceDefinition } from '../types.js';
import type { LogLine } from './log-line.js';
import { DEFAULT_LOG_KEEP, DEFAULT_LOG_MAX_BYTES } from './rotating-file.js';
import { ServiceLogSink } from './service-log-sink.js';

/** One log sink per service; live lines go out as 'log' events on `events`. */
export class LogRegistry {
  private readonly sinks = new Map<string, ServiceLogSink>();

  constructor(private readonly paths: HomePaths, private readonly events: EventEmitter) {}

  create(definition: ServiceDefinition): ServiceLogSink {
    const { name } = definition;
    const sink = new ServiceLogSink(
      name,
      { out: serviceLogPath(this.paths, name, 'out'), err: serviceLogPath(this.paths, name, 'err') },
      { maxBytes: definition.logMaxBytes ?? DEFAULT_LOG_MAX_BYTES, keep: definition.logKeep ?? DEFAULT_LOG_KEEP },
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

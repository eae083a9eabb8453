import { closeSync, fstatSync, openSync, constants, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { LogStream } from '../logs/log-line.js';
import type { ServiceLogSink } from '../logs/service-log-sink.js';
import type { ExitWatcher } from '../process/exit-watch.js';
import { makeFifos, openFifoForChild, openFifoReader } from '../process/fifo.js';
import { buildCommand, type CommandContext } from '../process/interpreter.js';
import { killGroupRemains, stopGroup, stopStrays } from '../process/kill.js';
import { isSameProcess, readProcStat } from '../process/proc.js';
import { spawnProcess } from '../process/spawn.js';
import { DEFINITION_MARKER } from '../process/supervised-marker.js';
import { definitionToEntry } from '../config/definition-entry.js';
import type { ServiceDefinition } from '../types.js';
import { instanceEnv } from './instance-env.js';
import type { InstanceRecord } from './instance.js';
import { findRunProcesses, type Run } from './run.js';

export interface LauncherContext {
  definition: () => ServiceDefinition;
  sink: ServiceLogSink;
  /** $APICTL_HOME/run: FIFOs and carry files. */
  runDir: string;
  command: CommandContext;
  baseEnv: Record<string, string>;
  readEnvFile: (path: string) => Promise<Record<string, string>>;
  exits: ExitWatcher;
  /** A FIFO was made or removed: the keeper (if any) holds the current set open. */
  fifosChanged: () => void;
}

const STREAMS: LogStream[] = ['out', 'err'];
/** How long an exit waits for the last output when the disk refuses it (it is written later). */
const OUTPUT_WAIT_MS = 1_000;
/** Processes that escaped their group get this long after the stop signal. */
const STRAY_GRACE_MS = 1_000;

/** Spawn ids being launched right now (FIFOs made, process not yet attached): not debris for a sweep of run/. */
export const LAUNCHING = new Set<string>();

/** Pure: where a run's stream lives. */
export function fifoPath(runDir: string, service: string, index: number, spawnId: string, stream: LogStream): string {
  return join(runDir, `${service}.${index}.${spawnId}.${stream}`);
}

/**
 * Starts, adopts, stops and ends the runs of one service's instances: the
 * child's stdout/stderr are FIFOs in the run folder, so the child never
 * depends on the daemon being alive, and a new daemon can reopen them.
 */
export class Launcher {
  constructor(private readonly context: LauncherContext) {}

  async launch(index: number, port: number | null): Promise<Run> {
    const spawnId = randomHex(6);
    LAUNCHING.add(spawnId);
    try {
      return await this.launchAs(index, port, spawnId);
    } finally {
      LAUNCHING.delete(spawnId);
    }
  }

  private async launchAs(index: number, port: number | null, spawnId: string): Promise<Run> {
    const definition = this.context.definition();
    const paths = STREAMS.map((stream) => fifoPath(this.context.runDir, definition.name, index, spawnId, stream));
    let env: Record<string, string>;
    try {
      const fromFile = definition.envFile ? await this.context.readEnvFile(definition.envFile) : {};
      env = instanceEnv({ base: this.context.baseEnv, fromFile, definition, port, index, spawnId });
      env[DEFINITION_MARKER] = describeForProcess(definition, Object.keys(definition.env));
    } catch (error) {
      throw new Error(`cannot read envFile ${definition.envFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    await makeFifos(paths);
    const readers: number[] = [];
    const childEnds: number[] = [];
    try {
      for (const path of paths) readers.push(openFifoReader(path));
      for (const path of paths) childEnds.push(openFifoForChild(path));
      const command = buildCommand({ ...definition, port }, this.context.command);
      const spawned = await spawnProcess(command, { cwd: definition.cwd, env, stdout: childEnds[0]!, stderr: childEnds[1]! }).catch((error: NodeJS.ErrnoException) => {
        throw new Error(`cannot run ${command.file}: ${error.code === 'ENOENT' ? 'not found' : (error.code ?? error.message)}`);
      });
      const logs = STREAMS.map((stream, at) => this.context.sink.attach(index, stream, paths[at]!, readers[at]!, `${paths[at]}.carry`));
      this.context.fifosChanged();
      return {
        spawnId,
        pid: spawned.pid,
        startTime: readProcStat(spawned.pid)?.startTime ?? 0,
        startedAt: Date.now(),
        adopted: false,
        exited: spawned.exited,
        logs,
      };
    } catch (error) {
      for (const fd of readers) closeSync(fd);
      for (const path of paths) rmSync(path, { force: true });
      throw error;
    } finally {
      // The child holds its own copies: ours would keep the pipes alive after it.
      for (const fd of childEnds) closeSync(fd);
    }
  }

  /**
   * Takes over a process a previous daemon started, when it is still that
   * process (pid, start time and spawn id agree); null otherwise. Its output
   * is read on from the FIFOs (or, if the run folder was deleted, through
   * /proc), and a tail the old daemon had not finished carries over.
   */
  adopt(index: number, record: NonNullable<InstanceRecord['run']>): Run | null {
    const { pid, startTime, spawnId } = record;
    // The pid and its start time name the process for good; its environment may have been
    // rewritten since (Perl $0, Ruby's Puma, setproctitle), so the spawn marker is not required.
    if (!isSameProcess(pid, startTime)) return null;
    const definition = this.context.definition();
    const readers: number[] = [];
    try {
      for (const [at, stream] of STREAMS.entries()) readers.push(openReaderOf(fifoPath(this.context.runDir, definition.name, index, spawnId, stream), pid, at + 1));
    } catch {
      for (const fd of readers) closeSync(fd);
      return null;
    }
    const logs = STREAMS.map((stream, at) => {
      const path = fifoPath(this.context.runDir, definition.name, index, spawnId, stream);
      return this.context.sink.attach(index, stream, path, readers[at]!, `${path}.carry`);
    });
    return {
      ...record,
      adopted: true,
      exited: this.context.exits.watch(pid, startTime).then(() => ({ code: null, signal: null, unknown: true })),
      logs,
    };
  }

  /**
   * A run that ended while no daemon read it: what it wrote is still in its
   * FIFOs (the keeper held them open), with the tail the old daemon carried.
   * Writes all of it to the logs, then removes the FIFOs.
   */
  async salvage(index: number, spawnId: string): Promise<void> {
    const definition = this.context.definition();
    const sources = [];
    for (const stream of STREAMS) {
      const path = fifoPath(this.context.runDir, definition.name, index, spawnId, stream);
      let fd: number;
      try {
        fd = openFifoReader(path);
      } catch {
        rmSync(`${path}.carry`, { force: true });
        continue;
      }
      sources.push(this.context.sink.attach(index, stream, path, fd, `${path}.carry`));
    }
    await Promise.race([Promise.all(sources.map((source) => this.context.sink.finish(source))), delay(OUTPUT_WAIT_MS)]);
    this.context.fifosChanged();
  }

  /** The carry files of a run's two streams (for working out how they resume before any is attached). */
  carryPaths(index: number, spawnId: string): Array<{ instance: number; stream: LogStream; carryPath: string }> {
    const name = this.context.definition().name;
    return STREAMS.map((stream) => ({ instance: index, stream, carryPath: `${fifoPath(this.context.runDir, name, index, spawnId, stream)}.carry` }));
  }

  /** Stop signal to the group, SIGKILL after the timeout; then the strays that left the group. */
  async stopRun(run: Run, signal: NodeJS.Signals, killTimeoutMs: number): Promise<'graceful' | 'killed' | 'stuck'> {
    const outcome = await stopGroup(run.pid, run.exited, signal, killTimeoutMs);
    await this.stopStrays(run, signal, killTimeoutMs);
    return outcome;
  }

  /** After the main process exited: its group's rest, its strays, then the rest of its output. */
  async endRun(run: Run): Promise<void> {
    await killGroupRemains(run.pid);
    const definition = this.context.definition();
    await this.stopStrays(run, (definition.stopSignal ?? 'SIGTERM') as NodeJS.Signals, STRAY_GRACE_MS);
    await Promise.race([Promise.all(run.logs.map((source) => this.context.sink.finish(source))), delay(OUTPUT_WAIT_MS)]);
    this.context.fifosChanged();
  }

  /** A handover: stop reading, leave pipes and carries for the next daemon. */
  detach(run: Run): void {
    for (const source of run.logs) this.context.sink.detach(source);
  }

  private async stopStrays(run: Run, signal: NodeJS.Signals, graceMs: number): Promise<void> {
    const { strays } = findRunProcesses(run);
    await stopStrays(strays, signal, graceMs, isLive);
  }
}

/**
 * What a process carries of its service (APICTL_DEFINITION): the definition
 * without env values (those are in its environment already), so a daemon
 * whose state.json is lost can still take it over.
 */
export function describeForProcess(definition: ServiceDefinition, envKeys: string[]): string {
  return JSON.stringify({ ...definitionToEntry(definition), env: undefined, envKeys });
}

function isLive(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== null && stat.state !== 'Z';
}

/** Our read end of an adopted run's stream: the FIFO by path, else the child's own fd through /proc. */
function openReaderOf(path: string, pid: number, fd: number): number {
  try {
    return openFifoReader(path);
  } catch {
    // /proc/<pid>/fd/N is a magic link to the same pipe (O_NOFOLLOW would refuse it).
    const reader = openSync(`/proc/${pid}/fd/${fd}`, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(reader).isFIFO()) {
      closeSync(reader);
      throw new Error(`fd ${fd} of ${pid} is not a pipe`);
    }
    return reader;
  }
}

/**
 * `bytes` random bytes as hex, from the kernel's generator: node:crypto would
 * cost the daemon ~1.3 MB resident for the ids of its runs (issue 15).
 */
export function randomHex(bytes: number): string {
  const buffer = Buffer.alloc(bytes);
  const fd = openSync('/dev/urandom', constants.O_RDONLY);
  try {
    let got = 0;
    while (got < bytes) got += readSync(fd, buffer, got, bytes - got, null);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('hex');
}

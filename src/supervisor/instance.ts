import type { Logger } from 'pino';
import { buildCommand, chooseInterpreter, defaultStopSignal, type CommandContext } from '../process/interpreter.js';
import { killGroupRemains, stopGroup } from '../process/kill.js';
import { spawnProcess, type SpawnedProcess } from '../process/spawn.js';
import { instanceEnv } from './instance-env.js';
import { isPortFree } from '../config/ports.js';
import { findPortHolder } from '../process/port-holder.js';
import type { ServiceLogSink } from '../logs/service-log-sink.js';
import type { ExitInfo, ServiceDefinition, Status } from '../types.js';
import { decideRestart, describeExit } from './restart-policy.js';
import { sleep, waitForReady } from './readiness.js';
import { watchHealth } from './health.js';

export interface InstanceContext {
  definition: () => ServiceDefinition;
  logs: ServiceLogSink;
  command: CommandContext;
  logger: Logger;
  /** Environment every child starts from (the daemon's own, minus apictl internals). */
  baseEnv: Record<string, string>;
  readEnvFile: (path: string) => Record<string, string>;
  changed: () => void;
}

const OUTPUT_GRACE_MS = 250;

export type ReadyOutcome = { ok: true } | { ok: false; reason: string };

/** Recorded in state.json: what ran, and the restart counts a recovered daemon carries over. */
export interface InstanceRecord {
  index: number;
  pid: number | null;
  restarts: number;
}

/** One process of a service: spawn, readiness, exit, restart decision applied, stop. */
export class Instance {
  status: Status = 'stopped';
  pid: number | null = null;
  startedAt: number | null = null;
  restarts = 0;
  lastExit: ExitInfo | null = null;
  reason: string | null = null;
  private streak = 0;
  private process: SpawnedProcess | null = null;
  private runAbort: AbortController | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;
  /** The launch under way (port check, spawn), so a stop can wait for it to give up. */
  private launching: Promise<void> | null = null;
  /** Settles once onExit has recorded the running process's end. */
  private exitHandled: Promise<void> = Promise.resolve();
  /** Bumped by every start and stop: a launch from an older generation must not go on. */
  private generation = 0;
  private readyWaiters = new Set<(outcome: ReadyOutcome) => void>();
  private outputDone: Promise<void> = Promise.resolve();
  /** During restart(): whoever waits for ready waits for the new process, not "was stopped". */
  private restarting = false;

  constructor(readonly index: number, public port: number | null, private readonly context: InstanceContext) {}

  get interpreter(): string {
    const definition = this.context.definition();
    return chooseInterpreter(definition.script, definition.interpreter);
  }

  record(): InstanceRecord {
    return { index: this.index, pid: this.pid, restarts: this.restarts };
  }

  /** Starts the process if it is not running (or waiting to restart). */
  start(): void {
    if (this.process || this.restartTimer || this.status === 'starting') return;
    this.generation++;
    this.streak = 0;
    this.reason = null;
    this.launchSafely();
  }

  /** Waits until online; fails at once if the process exits (or gives up) before. */
  waitUntilReady(timeoutMs: number): Promise<ReadyOutcome> {
    if (this.status === 'online') return Promise.resolve({ ok: true });
    if (this.status === 'errored' || this.status === 'stopped') {
      return Promise.resolve({ ok: false, reason: this.reason ?? `is ${this.status}` });
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.readyWaiters.delete(settle);
        resolve({ ok: false, reason: `not ready within ${Math.round(timeoutMs / 1000)}s (${this.readinessText()})` });
      }, timeoutMs);
      const settle = (outcome: ReadyOutcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      this.readyWaiters.add(settle);
    });
  }

  async stop(): Promise<void> {
    const generation = ++this.generation;
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = null;
    }
    if (!this.process) {
      // A launch in flight sees the new generation and kills what it spawned:
      // wait for that, so nothing this instance started outlives the stop.
      if (this.launching) await this.launching;
      if (generation !== this.generation) return; // a later start or stop took over
      if (this.status !== 'errored') this.setStatus('stopped');
      return;
    }
    if (!this.stopping) this.stopping = this.stopProcess(this.process);
    await this.stopping;
  }

  /**
   * Manual (reason null) or policy-driven restart (health, memory, watch):
   * graceful stop, then a fresh start. A policy never revives an instance
   * that is stopped or being stopped: that stop (or delete) has the last word.
   */
  async restart(reason: string | null = null): Promise<void> {
    if (reason !== null && (this.stopping !== null || this.status === 'stopped' || this.status === 'stopping')) return;
    if (reason) {
      this.context.logs.note(this.index, `restarting: ${reason}`);
      this.context.logger.warn({ service: this.context.definition().name, instance: this.index, reason }, 'restarting');
    }
    this.restarting = true;
    const stopped = this.stop();
    const generation = this.generation;
    try {
      await stopped;
    } finally {
      this.restarting = false;
    }
    // A stop, delete or another restart came in meanwhile: the latest word decides.
    if (generation !== this.generation) return;
    this.restarts++;
    this.start();
    this.reason = reason;
  }

  adoptRestarts(restarts: number): void {
    this.restarts = restarts;
  }

  private async stopProcess(running: SpawnedProcess): Promise<void> {
    this.setStatus('stopping');
    this.runAbort?.abort();
    const definition = this.context.definition();
    const signal = (definition.stopSignal ?? defaultStopSignal(this.interpreter)) as NodeJS.Signals;
    const outcome = await stopGroup(running.pid, running.exited, signal, definition.killTimeoutMs);
    this.context.logger.info({ service: definition.name, instance: this.index, pid: running.pid, signal, outcome }, 'stopped');
    // Stopped means recorded as stopped: a restart must not start before onExit is done.
    await this.exitHandled;
  }

  /** A launch that fails unexpectedly (an envFile gone, say) is this instance's failure, not the daemon's. */
  private launchSafely(): void {
    const launching = this.launch(this.launching)
      .catch((error: Error) => {
        if (this.process) return;
        this.handleExit({ code: null, signal: null }, `cannot start: ${error.message}`);
      })
      .finally(() => {
        if (this.launching === launching) this.launching = null;
      });
    this.launching = launching;
  }

  /** `previous`: a launch still under way, given up by now; its process must be gone before this one checks the port. */
  private async launch(previous: Promise<void> | null): Promise<void> {
    const generation = this.generation;
    const current = () => generation === this.generation;
    this.setStatus('starting');
    if (previous) await previous;
    if (!current()) return;
    const definition = this.context.definition();
    if (this.port !== null && !(await isPortFree(this.port))) {
      if (!current()) return;
      const holder = findPortHolder(this.port);
      return this.handleExit({ code: null, signal: null }, `port ${this.port} is in use${holder ? ` by pid ${holder}` : ''}`);
    }
    if (!current()) return;
    const command = buildCommand({ ...definition, port: this.port }, this.context.command);
    let env: Record<string, string>;
    try {
      const fromFile = definition.envFile ? this.context.readEnvFile(definition.envFile) : {};
      env = instanceEnv({ base: this.context.baseEnv, fromFile, definition, port: this.port, index: this.index });
    } catch (error) {
      if (!current()) return;
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      return this.handleExit({ code: null, signal: null }, `cannot read envFile ${definition.envFile}: ${code}`);
    }
    let spawned: SpawnedProcess;
    try {
      spawned = await spawnProcess(command, { cwd: definition.cwd, env });
    } catch (error) {
      if (!current()) return;
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      return this.handleExit({ code: null, signal: null }, `cannot run ${command.file}: ${code === 'ENOENT' ? 'not found' : code}`);
    }
    if (!current()) {
      await stopGroup(spawned.pid, spawned.exited, 'SIGKILL', 0);
      return;
    }
    this.process = spawned;
    this.pid = spawned.pid;
    this.startedAt = Date.now();
    this.context.logger.info({ service: definition.name, instance: this.index, pid: spawned.pid, port: this.port }, 'started');
    this.outputDone = Promise.all([
      this.context.logs.attach(this.index, 'out', spawned.stdout),
      this.context.logs.attach(this.index, 'err', spawned.stderr),
    ]).then(() => undefined);
    const abort = new AbortController();
    this.runAbort = abort;
    this.context.changed();
    this.exitHandled = spawned.exited
      .then((exit) => this.onExit(spawned, exit))
      .catch((error: Error) => this.context.logger.error({ service: definition.name, instance: this.index, err: error }, 'exit handling failed'));
    void this.watchReadiness(definition, abort.signal);
  }

  private async watchReadiness(definition: ServiceDefinition, signal: AbortSignal): Promise<void> {
    const ready = await waitForReady(
      { port: this.port, healthPath: definition.health?.path, healthTimeoutMs: definition.health?.timeoutMs },
      signal,
    );
    if (!ready || signal.aborted) return;
    this.setStatus('online');
    this.settleWaiters({ ok: true });
    if (definition.health && this.port !== null) {
      void watchHealth(this.port, definition.health, signal).then((failure) => {
        if (failure && !signal.aborted) void this.restart(failure);
      });
    }
  }

  private async onExit(spawned: SpawnedProcess, exit: ExitInfo): Promise<void> {
    this.runAbort?.abort();
    this.lastExit = exit;
    const requested = this.stopping !== null;
    const uptimeMs = Date.now() - (this.startedAt ?? Date.now());
    this.process = null;
    this.pid = null;
    this.startedAt = null;
    if (!requested) {
      // Not online from the moment it died: no "online" row without a pid, no traffic from the balancer.
      this.reason = describeExit(exit);
      this.setStatus('waiting');
    }
    // The main process is gone; whatever it left in its group would hold the port.
    await killGroupRemains(spawned.pid);
    // Its last words may still be in the pipe: failure messages quote them. A
    // grandchild that escaped the group may hold the pipe open, hence the bound.
    await Promise.race([this.outputDone, sleep(OUTPUT_GRACE_MS, new AbortController().signal)]);
    if (requested) {
      this.stopping = null;
      this.reason = null;
      this.setStatus('stopped');
      if (!this.restarting) this.settleWaiters({ ok: false, reason: 'was stopped' });
      return;
    }
    this.handleExit(exit, null, uptimeMs);
  }

  private handleExit(exit: ExitInfo, failure: string | null, uptimeMs = 0): void {
    const definition = this.context.definition();
    const what = failure ?? describeExit(exit);
    const decision = decideRestart(
      { policy: definition.restart, maxRestarts: definition.maxRestarts, restartDelayMs: definition.restartDelayMs },
      this.streak,
      exit,
      uptimeMs,
      what,
    );
    const log = { service: definition.name, instance: this.index, exit, uptimeMs, decision: decision.kind };
    this.settleWaiters({ ok: false, reason: what });
    if (decision.kind === 'restart') {
      this.streak = decision.streak;
      this.reason = what;
      this.context.logger.warn({ ...log, delayMs: decision.delayMs }, `${what}; restarting`);
      this.context.logs.note(this.index, `${what}; restarting${decision.delayMs > 0 ? ` in ${decision.delayMs}ms` : ''}`);
      const relaunch = () => {
        this.restartTimer = null;
        this.restarts++;
        this.launchSafely();
      };
      if (decision.delayMs === 0) return relaunch();
      this.setStatus('waiting');
      this.restartTimer = setTimeout(relaunch, decision.delayMs);
      return;
    }
    this.reason = decision.reason;
    this.context.logger.error({ ...log, reason: this.reason }, decision.kind === 'give-up' ? 'errored' : 'exited');
    this.context.logs.note(this.index, `${this.reason}; ${decision.kind === 'give-up' ? 'giving up' : 'not restarting'}`);
    this.setStatus(decision.kind === 'give-up' ? 'errored' : 'stopped');
  }

  private readinessText(): string {
    const health = this.context.definition().health;
    if (this.port === null) return 'no port';
    return health ? `GET ${health.path} on port ${this.port} never answered 2xx` : `nothing accepted connections on port ${this.port}`;
  }

  private settleWaiters(outcome: ReadyOutcome): void {
    const waiters = [...this.readyWaiters];
    this.readyWaiters.clear();
    for (const settle of waiters) settle(outcome);
  }

  private setStatus(status: Status): void {
    if (this.status === status) return;
    this.status = status;
    this.context.changed();
  }
}

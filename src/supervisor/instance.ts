import { chooseInterpreter, defaultStopSignal } from '../process/interpreter.js';
import type { ExitInfo, ServiceDefinition, Status } from '../types.js';
import type { InstanceContext, InstanceRecord, ReadyOutcome } from './instance-types.js';
import { ReadyWaiters, readinessText } from './ready-waiters.js';
import { decideRestart, describeExit } from './restart-policy.js';
import type { Run } from './run.js';

export type { InstanceContext, InstanceEffects, InstanceRecord, ReadyOutcome } from './instance-types.js';

/** One process slot of a service: launch (or adopt), readiness, exit, restart decision applied, stop. */
export class Instance {
  status: Status = 'stopped';
  startedAt: number | null = null;
  restarts = 0;
  lastExit: ExitInfo | null = null;
  reason: string | null = null;
  private streak = 0;
  private run: Run | null = null;
  private runAbort: AbortController | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;
  /** A launch under way (port check, spawn): a stop waits for it to give up. */
  private launching: Promise<void> | null = null;
  /** Settles once the current run's exit is recorded. */
  private exitHandled: Promise<void> = Promise.resolve();
  /** Set while an exit is being handled (cleanup, last output): a stop waits for it, then has the last word. */
  private exiting: Promise<void> | null = null;
  /** Bumped by every start, stop and adoption: work begun under an older one must not go on. */
  private generation = 0;
  private readonly readyWaiters = new ReadyWaiters();
  /** During restart(): whoever waits for ready waits for the new process, not "was stopped". */
  private restarting = false;
  /** The last run that ended: its strays may still hold the port while they are being stopped. */
  private lastEnd: Promise<void> = Promise.resolve();

  constructor(readonly index: number, public port: number | null, private readonly context: InstanceContext) {}

  get pid(): number | null {
    return this.run?.pid ?? null;
  }

  get spawnId(): string | null {
    return this.run?.spawnId ?? null;
  }

  get adopted(): boolean {
    return this.run?.adopted ?? false;
  }

  get interpreter(): string {
    const definition = this.context.definition();
    return chooseInterpreter(definition.script, definition.interpreter);
  }

  record(): InstanceRecord {
    const run = this.run;
    return {
      index: this.index,
      port: this.port,
      status: this.status,
      restarts: this.restarts,
      streak: this.streak,
      lastExit: this.lastExit,
      reason: this.reason,
      run: run ? { spawnId: run.spawnId, pid: run.pid, startTime: run.startTime, startedAt: this.startedAt ?? run.startedAt } : null,
    };
  }

  /** Starts the process if it is not running (or waiting to restart). */
  start(): void {
    if (this.run || this.restartTimer || this.launching) return;
    this.generation++;
    this.streak = 0;
    this.reason = null;
    this.launchSafely();
  }

  /** Takes over a process a previous daemon started: same pid, port, counts and uptime. */
  adopt(run: Run, record: InstanceRecord): void {
    this.generation++;
    this.adoptCounts(record);
    this.attachRun(run, record.run?.startedAt ?? run.startedAt);
    if (record.status === 'online') {
      this.setStatus('online');
      this.watchHealthOf(this.context.definition(), this.runAbort!.signal);
    } else {
      this.setStatus('starting');
      void this.watchReadiness(this.context.definition(), this.runAbort!.signal);
    }
  }

  /**
   * The process a previous daemon ran is gone (it ended while no daemon was
   * its parent): its end goes through the restart policy like any exit, with
   * the status unknown.
   */
  adoptEnded(record: InstanceRecord): void {
    this.generation++;
    this.adoptCounts(record);
    this.lastExit = { code: null, signal: null, unknown: true };
    const uptimeMs = record.run ? this.context.effects.now() - record.run.startedAt : 0;
    this.applyDecision(this.lastExit, null, uptimeMs);
  }

  /** An instance a previous daemon's restart policy had left stopped or errored: so it stays, with its counts and reason. */
  restoreEnded(record: InstanceRecord): void {
    this.adoptCounts(record);
    this.setStatus(record.status === 'errored' ? 'errored' : 'stopped');
  }

  /** Carries counts over from a previous daemon for an instance that must start afresh. */
  adoptCounts(record: Pick<InstanceRecord, 'restarts' | 'streak' | 'lastExit' | 'reason'>): void {
    this.restarts = record.restarts;
    this.streak = record.streak;
    this.lastExit = record.lastExit ?? null;
    this.reason = record.reason ?? null;
  }

  /**
   * Lets go of the running process without stopping it (a handover to a new
   * daemon): nothing this instance started goes on, and it returns the run
   * whose output the caller detaches.
   */
  release(): Run | null {
    this.generation++;
    this.clearRestartTimer();
    this.runAbort?.abort();
    const run = this.run;
    this.run = null;
    this.settleWaiters({ ok: false, reason: 'handed over to a new daemon' });
    return run;
  }

  /** Waits until online; fails at once if the process exits (or gives up) before. */
  waitUntilReady(timeoutMs: number): Promise<ReadyOutcome> {
    if (this.status === 'online') return Promise.resolve({ ok: true });
    if (this.status === 'errored' || this.status === 'stopped') return Promise.resolve({ ok: false, reason: this.reason ?? `is ${this.status}` });
    const { effects, definition } = this.context;
    return this.readyWaiters.wait(timeoutMs, effects.setTimer, () => `not ready within ${Math.round(timeoutMs / 1000)}s (${readinessText(this.port, definition().health)})`);
  }

  async stop(): Promise<void> {
    const generation = ++this.generation;
    this.clearRestartTimer();
    // A launch in flight sees the new generation and kills what it spawned; an exit
    // being handled sees it and does not restart. Wait for both, then decide.
    if (this.launching) await this.launching;
    if (this.exiting) await this.exiting;
    if (generation !== this.generation) return; // a later start or stop took over
    if (this.run) {
      this.stopping ??= this.stopProcess(this.run);
      await this.stopping;
      return;
    }
    if (this.status !== 'errored') this.setStatus('stopped');
    if (!this.restarting) this.settleWaiters({ ok: false, reason: this.reason ?? 'was stopped' });
  }

  /**
   * Manual restart (reason null): stop, then start afresh. A restart apictl
   * decides itself (health, memory, watch; `reason` given) counts like a crash:
   * it backs off and, in a loop, ends in `errored`. A policy never revives an
   * instance that is stopped or being stopped: that stop (or delete) has the last word.
   */
  async restart(reason: string | null = null): Promise<void> {
    if (reason !== null && (this.stopping !== null || this.exiting !== null || this.status === 'stopped' || this.status === 'stopping' || this.status === 'errored')) return;
    const uptimeMs = this.startedAt === null ? 0 : this.context.effects.now() - this.startedAt;
    if (reason) {
      this.context.note(this.index, `restarting: ${reason}`);
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
    if (reason === null) {
      this.restarts++;
      this.start();
      return;
    }
    this.generation++;
    this.applyDecision({ code: null, signal: null }, reason, uptimeMs);
  }

  private async stopProcess(run: Run): Promise<void> {
    this.setStatus('stopping');
    this.runAbort?.abort();
    const definition = this.context.definition();
    const signal = (definition.stopSignal ?? defaultStopSignal(this.interpreter)) as NodeJS.Signals;
    const outcome = await this.context.effects.stopRun(run, signal, definition.killTimeoutMs);
    if (outcome === 'stuck') {
      // Uninterruptible (a hung disk or NFS): it goes when the kernel lets it. Waiting would hold every later command.
      this.context.logger.error({ service: definition.name, instance: this.index, pid: run.pid }, 'did not exit after SIGKILL: left to the kernel');
      this.context.note(this.index, `pid ${run.pid} did not exit after SIGKILL (uninterruptible I/O?); no longer tracked`);
      this.run = null;
      this.startedAt = null;
      this.stopping = null;
      this.setStatus('stopped');
      if (!this.restarting) this.settleWaiters({ ok: false, reason: 'was stopped' });
      return;
    }
    this.context.logger.info({ service: definition.name, instance: this.index, pid: run.pid, signal, outcome }, 'stopped');
    // Stopped means recorded as stopped: a restart must not start before the exit is handled.
    await this.exitHandled;
  }

  /** A launch that fails unexpectedly (an envFile gone, say) is this instance's failure, not the daemon's. */
  private launchSafely(): void {
    const launching = this.launch(this.launching)
      .catch((error: Error) => {
        if (!this.run) this.applyDecision({ code: null, signal: null }, `cannot start: ${error.message}`, 0);
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
    const { effects } = this.context;
    if (this.port !== null && !(await effects.isPortFree(this.port))) {
      // The last run's strays may still hold it: wait for them to be stopped, then look again.
      await this.lastEnd;
      if (!current()) return;
      if (!(await effects.isPortFree(this.port))) {
        if (!current()) return;
        return this.applyDecision({ code: null, signal: null }, `port ${this.port} is in use${effects.portHolder(this.port)}`, 0);
      }
    }
    if (!current()) return;
    let run: Run;
    try {
      run = await effects.launch(this.index, this.port);
    } catch (error) {
      if (!current()) return;
      return this.applyDecision({ code: null, signal: null }, (error as Error).message, 0);
    }
    if (!current()) {
      await effects.stopRun(run, 'SIGKILL', 0);
      await effects.endRun(run);
      return;
    }
    this.attachRun(run, effects.now());
    const definition = this.context.definition();
    this.context.logger.info({ service: definition.name, instance: this.index, pid: run.pid, port: this.port }, 'started');
    void this.watchReadiness(definition, this.runAbort!.signal);
  }

  private attachRun(run: Run, startedAt: number): void {
    this.run = run;
    this.startedAt = startedAt;
    this.runAbort = new AbortController();
    this.exitHandled = run.exited
      .then((exit) => this.onExit(run, exit))
      .catch((error: Error) => this.context.logger.error({ service: this.context.definition().name, instance: this.index, err: error }, 'exit handling failed'));
    this.context.changed();
  }

  private async watchReadiness(definition: ServiceDefinition, signal: AbortSignal): Promise<void> {
    const ready = await this.context.effects.waitForReady(this.port, definition.health, signal);
    if (!ready || signal.aborted) return;
    this.setStatus('online');
    this.settleWaiters({ ok: true });
    this.watchHealthOf(definition, signal);
  }

  private watchHealthOf(definition: ServiceDefinition, signal: AbortSignal): void {
    if (!definition.health || this.port === null) return;
    void this.context.effects.watchHealth(this.port, definition.health, signal).then((failure) => {
      if (failure && !signal.aborted) void this.restart(failure);
    });
  }

  private onExit(run: Run, exit: ExitInfo): Promise<void> {
    // A run let go of (a handover) is not ours to handle any more.
    if (this.run !== run) return Promise.resolve();
    const handling = this.handleRunEnd(run, exit).finally(() => {
      if (this.exiting === handling) this.exiting = null;
    });
    this.exiting = handling;
    return handling;
  }

  private async handleRunEnd(run: Run, exit: ExitInfo): Promise<void> {
    this.runAbort?.abort();
    this.lastExit = exit;
    const requested = this.stopping !== null;
    const generation = this.generation;
    const uptimeMs = this.context.effects.now() - (this.startedAt ?? this.context.effects.now());
    this.run = null;
    this.startedAt = null;
    if (!requested) {
      // Not online from the moment it died: no "online" row without a pid, no traffic from the balancer.
      this.reason = describeExit(exit);
      this.setStatus('waiting');
    }
    // Its last words are in the pipe (failure messages quote them); its group's rest would hold the port.
    const ended = this.context.effects.endRun(run);
    this.lastEnd = ended.catch(() => undefined);
    await ended;
    if (requested) {
      this.stopping = null;
      this.reason = null;
      this.setStatus('stopped');
      if (!this.restarting) this.settleWaiters({ ok: false, reason: 'was stopped' });
      return;
    }
    // A stop, delete or start came in while the exit was handled: it decides, not the restart policy.
    if (generation !== this.generation) return;
    this.applyDecision(exit, null, uptimeMs);
  }

  private applyDecision(exit: ExitInfo, failure: string | null, uptimeMs: number): void {
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
      this.context.note(this.index, `${what}; restarting${decision.delayMs > 0 ? ` in ${decision.delayMs}ms` : ''}`);
      const generation = this.generation;
      const relaunch = () => {
        this.restartTimer = null;
        if (generation !== this.generation) return;
        this.restarts++;
        this.launchSafely();
      };
      if (decision.delayMs === 0) return relaunch();
      this.setStatus('waiting');
      this.restartTimer = this.context.effects.setTimer(relaunch, decision.delayMs);
      return;
    }
    this.reason = decision.reason;
    this.context.logger.error({ ...log, reason: this.reason }, decision.kind === 'give-up' ? 'errored' : 'exited');
    this.context.note(this.index, `${this.reason}; ${decision.kind === 'give-up' ? 'giving up' : 'not restarting'}`);
    this.setStatus(decision.kind === 'give-up' ? 'errored' : 'stopped');
  }

  private clearRestartTimer(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }

  private settleWaiters(outcome: ReadyOutcome): void {
    this.readyWaiters.settle(outcome);
  }

  private setStatus(status: Status): void {
    if (this.status === status) return;
    this.status = status;
    this.context.changed();
  }
}

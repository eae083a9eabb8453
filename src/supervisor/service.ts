import type { Logger } from 'pino';
import type { Balancer } from '../balancer/balancer.js';
import type { RouteTarget } from '../balancer/routes.js';
import { ServiceRequests } from '../metrics/service-requests.js';
import { allocateEphemeralPort } from '../config/ports.js';
import type { ServiceLogSink } from '../logs/service-log-sink.js';
import type { ExitWatcher } from '../process/exit-watch.js';
import type { CommandContext } from '../process/interpreter.js';
import type { ServiceDefinition, Status } from '../types.js';
import { Instance, type InstanceRecord, type ReadyOutcome } from './instance.js';
import { createInstanceEffects } from './instance-effects.js';
import { Launcher } from './launcher.js';
import { listenBalancer } from './service-balancer.js';
import { replaceOneByOne } from './rolling-reload.js';
import { ServiceTriggers } from './service-triggers.js';
import { aggregateStatus } from './service-status.js';
import { chooseRecord } from './choose-record.js';
import { Autoscaler, type AutoscalerContext, type ScaleOutcome } from './autoscaler.js';
import { checkScaleRequest } from './scale-request.js';
import { keepBaseSlots, slotsToAdopt } from './scale-slots.js';
import { createScalingPool } from './scaling-pool.js';

export interface ServiceContext {
  logs: ServiceLogSink;
  command: CommandContext;
  logger: Logger;
  baseEnv: Record<string, string>;
  balancerHost: string;
  readEnvFile: (path: string) => Promise<Record<string, string>>;
  runDir: string;
  exits: ExitWatcher;
  fifosChanged: () => void;
  changed: () => void;
  /** The machine's free memory and each instance's size, for the autoscaler. */
  scaling: Pick<AutoscalerContext, 'readMemory' | 'memoryOf'>;
}

const DEFAULT_SCHEDULED_READY_MS = 30_000;

export { aggregateStatus } from './service-status.js';

/**
 * A named definition run as 1..N instances. With N > 1 apictl's balancer owns
 * the service port and each instance gets a private port.
 */
export class Service {
  instances: Instance[] = [];
  /** Requests apictl proxied for it (balancer, routes): they go when the service goes. */
  readonly requests = new ServiceRequests();
  private balancer: Balancer | null = null;
  private readonly triggers = new ServiceTriggers();
  private readonly launcher: Launcher;
  /** Lifecycle operations run one after another: a delete during a restart must not be undone by it. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Deleted (or handed over): nothing may start it again. */
  private retired = false;
  /** Between the two steps of a takeover: slots left without a live process, and runs only to salvage. */
  private unadopted: Array<{ instance: Instance; record: InstanceRecord | undefined }> = [];
  private salvaged: Array<{ index: number; spawnId: string }> = [];
  /** Balanced services: autoscaling (instances {min, max}) and `apictl scale`. */
  readonly scaler: Autoscaler | null;

  constructor(public definition: ServiceDefinition, private readonly context: ServiceContext) {
    this.launcher = new Launcher({
      definition: () => this.definition,
      sink: context.logs,
      runDir: context.runDir,
      command: context.command,
      baseEnv: context.baseEnv,
      readEnvFile: context.readEnvFile,
      exits: context.exits,
      fifosChanged: context.fifosChanged,
    });
    this.scaler = this.balanced ? this.createScaler() : null;
  }

  /** The file watcher's last error, for `show`. */
  get watchError(): string | null {
    return this.triggers.watchError;
  }

  get name(): string {
    return this.definition.name;
  }

  get logs(): ServiceLogSink {
    return this.context.logs;
  }

  get status(): Status {
    // Scaled to zero: no process, the port open for the first request.
    if (this.instances.length === 0 && this.balancer) return 'online';
    return aggregateStatus(this.instances.map((instance) => instance.status));
  }

  /** apictl's balancer owns the port for several instances, for maxInflight (it enforces the cap) and accessLog (it sees each request). */
  get balanced(): boolean {
    const { port, instances, maxInflight, accessLog, autoscale } = this.definition;
    return port !== null && (instances > 1 || maxInflight !== undefined || accessLog === true || autoscale !== undefined);
  }

  /** How a routes port reaches it while it is online; null otherwise. */
  routeTarget(): RouteTarget | null {
    if (this.status !== 'online' || this.definition.port === null) return null;
    return { definition: this.definition, requests: this.requests, balancer: this.balancer, port: this.definition.port, writeAccess: this.writeAccess };
  }

  private readonly writeAccess = (instance: number, lines: string): void => this.context.logs.write(instance, 'out', lines);

  /** Starts every instance that is not running; `counts` carries restart counts over from a previous daemon. */
  start(counts: InstanceRecord[] = []): Promise<void> {
    return this.exclusively(async () => {
      if (!this.retired) await this.startNow(counts);
    });
  }

  /**
   * A takeover, first step: each slot gets the process a previous daemon ran
   * for it, if that is still the same process (same pid, port, counts,
   * uptime). Nothing starts yet: the caller stops what nobody adopted first,
   * so no port is held. Returns the spawn ids adopted.
   */
  adoptRunning(records: InstanceRecord[]): Promise<string[]> {
    return this.exclusively(async () => {
      // Every stream's resume is worked out before any of them writes: their carries describe the logs as left.
      this.context.logs.planResumes(records.flatMap((record) => (record.run ? this.launcher.carryPaths(record.index, record.run.spawnId) : [])));
      // The port first: balanced instances serve through it the moment they are back in the pool.
      await this.openBalancer();
      const adopted: string[] = [];
      this.unadopted = [];
      // Its base count, and every slot above it the old daemon ran (an autoscaled surplus keeps serving until idle).
      for (const index of slotsToAdopt(this.baseCount(), records)) {
        const { chosen, others } = chooseRecord(records.filter((record) => record.index === index));
        const port = this.balanced ? (chosen?.port ?? (await allocateEphemeralPort())) : this.definition.port;
        const instance = this.createInstance(index, port);
        // In the list before it comes back online, so the balancer takes it into the pool at once.
        this.instances.push(instance);
        const run = chosen?.run ? this.launcher.adopt(index, chosen.run) : null;
        if (run && chosen) {
          instance.adopt(run, chosen);
          adopted.push(run.spawnId);
        } else {
          this.unadopted.push({ instance, record: chosen });
        }
        // A reload cut short leaves two runs for one slot: the other one's output is salvaged, its process stopped as a leftover.
        for (const other of others) if (other.run) this.salvaged.push({ index, spawnId: other.run.spawnId });
      }
      return adopted;
    });
  }

  /** Writes what a run that is gone left in its FIFOs and carries to the logs, then removes them. */
  salvage(index: number, spawnId: string): Promise<void> {
    return this.launcher.salvage(index, spawnId);
  }

  /** A takeover, second step: slots whose process ended go through the restart policy, empty ones start. */
  startUnadopted(): Promise<void> {
    return this.exclusively(async () => {
      for (const { index, spawnId } of this.salvaged.splice(0)) await this.launcher.salvage(index, spawnId);
      for (const { instance, record } of this.unadopted.splice(0)) {
        if (record?.run) {
          await this.launcher.salvage(instance.index, record.run.spawnId);
          instance.adoptEnded(record);
        } else if (record && endedByPolicy(record)) {
          // Exited and left so by its restart policy (or given up on): a daemon death does not revive it.
          instance.restoreEnded(record);
        } else {
          if (record) instance.adoptCounts(record);
          instance.start();
        }
      }
      this.startTriggers();
    });
  }

  /** A service its user had stopped, known again after a daemon restart: stopped, with its counts. */
  restoreStopped(records: InstanceRecord[]): void {
    if (this.instances.length > 0) return;
    for (let index = 0; index < this.baseCount(); index++) {
      const record = records.find((item) => item.index === index);
      const instance = this.createInstance(index, record?.port ?? (this.balanced ? null : this.definition.port));
      if (record) instance.adoptCounts(record);
      this.instances.push(instance);
    }
  }

  async waitUntilReady(timeoutMs: number): Promise<ReadyOutcome[]> {
    return Promise.all(this.instances.map((instance) => instance.waitUntilReady(timeoutMs)));
  }

  stop(): Promise<void> {
    return this.exclusively(() => this.stopNow());
  }

  /** Stops for good (delete): after any operation already under way, and nothing starts it again. */
  retire(): Promise<void> {
    return this.exclusively(async () => {
      this.retired = true;
      await this.stopNow();
    });
  }

  /**
   * A handover to a new daemon (`apictl update`): the processes keep running,
   * their pipes and carries stay for the next daemon, the port is let go.
   */
  handOver(): Promise<InstanceRecord[]> {
    return this.exclusively(async () => {
      this.retired = true;
      await this.closeTriggers();
      // Recorded at the moment of release, after whatever was queued before: what the next daemon adopts.
      const records = this.records();
      for (const instance of this.instances) {
        const run = instance.release();
        if (run) this.launcher.detach(run);
      }
      await this.balancer?.close();
      this.balancer = null;
      return records;
    });
  }

  restart(): Promise<void> {
    return this.exclusively(async () => {
      if (!this.retired) await this.restartNow();
    });
  }

  /**
   * Zero-downtime replacement, one instance at a time: the new process (on a
   * fresh private port) must be ready before the old one leaves the pool and
   * stops. Single-instance services have no spare to serve meanwhile: they restart.
   */
  reload(timeoutMs: number): Promise<ReadyOutcome> {
    return this.exclusively(async () => {
      if (this.retired) return { ok: false, reason: 'was deleted' };
      if (!this.balancer) {
        await this.restartNow();
        const outcomes = await this.waitUntilReady(timeoutMs);
        return outcomes.find((outcome) => !outcome.ok) ?? { ok: true };
      }
      const service = this;
      const outcome = await replaceOneByOne(
        {
          get instances() { return service.instances; },
          set instances(list) { service.instances = list; },
          balancer: this.balancer,
          createInstance: async (index) => this.createInstance(index, await this.instancePort()),
        },
        timeoutMs,
      );
      if (outcome.ok) this.context.changed();
      return outcome;
    });
  }

  records(): InstanceRecord[] {
    return this.instances.map((instance) => instance.record());
  }

  private createInstance(index: number, port: number | null): Instance {
    return new Instance(index, port, {
      definition: () => this.definition,
      effects: createInstanceEffects(this.launcher),
      note: (at, line) => this.context.logs.note(at, line),
      logger: this.context.logger,
      changed: () => this.onInstanceChange(),
    });
  }

  private async startNow(counts: InstanceRecord[]): Promise<void> {
    if (this.instances.length === 0) {
      for (let index = 0; index < this.baseCount(); index++) {
        const instance = this.createInstance(index, await this.instancePort());
        const record = counts.find((item) => item.index === index);
        if (record) instance.adoptCounts(record);
        this.instances.push(instance);
      }
    }
    await this.openBalancer();
    for (const instance of this.instances) {
      // A slot restored stopped has no private port yet.
      if (this.balanced && instance.port === null) instance.port = await allocateEphemeralPort();
      instance.start();
    }
    this.startTriggers();
  }

  /** Listens on the service port for a balanced service; set only once listening, so a failure leaves nothing behind. */
  private async openBalancer(): Promise<void> {
    if (!this.balanced || this.balancer) return;
    const scaler = this.scaler;
    const scaling = scaler ? { demand: () => scaler.demand(), expired: () => scaler.coldStartExpired() } : undefined;
    this.balancer = await listenBalancer({ host: this.context.balancerHost, definition: this.definition, requests: this.requests, writeAccess: this.writeAccess, scaling });
    this.scaler?.start();
    this.onInstanceChange();
  }

  private async stopNow(): Promise<void> {
    await this.closeTriggers();
    // In-flight requests (SSE and WebSockets too) get drainTimeout before their instances stop.
    await this.balancer?.drain();
    await Promise.all(this.instances.map((instance) => instance.stop()));
    await this.balancer?.close();
    this.balancer = null;
    this.instances = keepBaseSlots(this.instances, this.baseCount());
  }

  private async closeTriggers(): Promise<void> {
    this.scaler?.stop();
    await this.triggers.close();
  }

  private async restartNow(): Promise<void> {
    await Promise.all(this.instances.map((instance) => instance.restart()));
    // Re-opens what a stop closed (balancer, watcher, schedule); running instances are left alone.
    await this.startNow([]);
  }

  // --- autoscaling and `apictl scale`: autoscaler.ts decides, these apply its steps ---

  /** `apictl scale <name> N|auto`: pins a count (or follows the load again) and, unless `timeoutMs` is null, waits for it. */
  async scale(count: number | 'auto', timeoutMs: number | null): Promise<ScaleOutcome> {
    const problem = checkScaleRequest(this.definition, { balanced: this.scaler !== null, running: this.balancer !== null && !this.retired }, count);
    if (problem) throw problem;
    this.scaler!.pin(count === 'auto' ? null : count);
    return timeoutMs === null ? { reached: true } : this.scaler!.settle(timeoutMs);
  }

  /** How many instances it starts with: min (autoscaled), its pinned count, else its `instances`. */
  private baseCount(): number {
    return this.scaler?.pinned ?? this.definition.instances;
  }

  private createScaler(): Autoscaler {
    const service = this;
    const pool = createScalingPool({
      get instances() { return service.instances; },
      set instances(list) { service.instances = list; },
      get balancer() { return service.balancer; },
      get running() { return service.balancer !== null && !service.retired; },
      createInstance: (index, port) => this.createInstance(index, port),
      exclusively: (work) => this.exclusively(work),
      readyTimeoutMs: () => this.definition.autoscale?.coldStartTimeoutMs ?? DEFAULT_SCHEDULED_READY_MS,
      changed: () => this.context.changed(),
    });
    return new Autoscaler({ definition: () => this.definition, pool, ...this.context.scaling, logger: this.context.logger, changed: this.context.changed, now: Date.now, setTimer: setTimeout });
  }

  private exclusively<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** watch (restart on a file change) and cronRestart (a scheduled reload). */
  private startTriggers(): void {
    this.triggers.start(this.definition, {
      fileChanged: (path) => {
        this.context.logger.info({ service: this.name, path }, 'watch: restarting');
        for (const instance of this.instances) void instance.restart(`file changed: ${path}`);
      },
      watchFailed: (error) => {
        // Said where people look: the service's err log, `show`, and daemon.log.
        this.context.logs.note(0, `${this.watchError} (changes may be missed)`);
        this.context.logger.warn({ service: this.name, err: error }, 'watch error');
        this.context.changed();
      },
      scheduled: (pattern) => {
        this.context.logger.info({ service: this.name, cron: pattern }, 'scheduled restart');
        // Through reload: with a balancer the scheduled restart drops no request.
        void this.reload(DEFAULT_SCHEDULED_READY_MS);
      },
      scheduleFailed: (error) => this.context.logger.error({ service: this.name, err: error }, 'cronRestart: cannot schedule'),
    });
  }

  private async instancePort(): Promise<number | null> {
    if (!this.balanced) return this.definition.port;
    // Private ports come from the kernel's ephemeral range, never from the range services are given.
    return allocateEphemeralPort();
  }

  private onInstanceChange(): void {
    if (this.balancer) {
      for (const instance of this.instances) {
        if (instance.port === null) continue;
        if (instance.status === 'online') this.balancer.add(instance.index, instance.port);
        else void this.balancer.remove(instance.index, instance.port);
      }
    }
    this.context.changed();
  }
}

/** A slot with no process that the restart policy stopped (it gives a reason) or gave up on; a stop inside a restart gives none. */
function endedByPolicy(record: InstanceRecord): boolean {
  return record.run === null && (record.status === 'errored' || (record.status === 'stopped' && Boolean(record.reason)));
}

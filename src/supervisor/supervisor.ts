import type { Logger } from 'pino';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { ApictlError } from '../errors.js';
import type { ServiceDraft } from '../config/validate.js';
import type { LogLine } from '../logs/log-line.js';
import { LogRegistry, rotationDefaults } from '../logs/log-registry.js';
import { MetricsSampler } from '../metrics/sampler.js';
import { ExitWatcher } from '../process/exit-watch.js';
import type { ServiceRequests } from '../metrics/service-requests.js';
import type { CommandContext } from '../process/interpreter.js';
import type { HomePaths } from '../state/paths.js';
import { CoalescingWriter, type ServiceRecord } from '../state/store.js';
import { renderStateFile } from '../state/state-file.js';
import type { RouteTable, ServiceDefinition, ServiceSnapshot } from '../types.js';
import type { InstanceRecord } from './instance.js';
import { checkMemory } from './memory-guard.js';
import { readFreeMemory } from '../process/meminfo.js';
import type { ScaleOutcome } from './autoscaler.js';
import { allocatePorts } from './port-allocation.js';
import { RouteRegistry } from './route-registry.js';
import { Service } from './service.js';
import { LAUNCHING } from './launcher.js';
import { snapshotService } from './snapshot.js';
import { planStart } from './start-plan.js';
import { sweepRunDir } from './run-dir-sweep.js';
import { takeOver } from './takeover.js';

export interface SupervisorOptions {
  paths: HomePaths;
  logger: Logger;
  command: CommandContext;
  baseEnv: Record<string, string>;
  portBase?: number;
  balancerHost?: string;
  /** A FIFO was made or removed (the keeper holds them open while no daemon runs). */
  fifosChanged?: () => void;
}

export interface StartResult {
  name: string;
  action: 'started' | 'already-running' | 'restarted' | 'reloaded' | 'stopped' | 'deleted';
  ok: boolean;
  reason?: string;
  lastLines?: string[];
  snapshot?: ServiceSnapshot;
}

const SAMPLE_WAIT_MS = 1_000;

/** The registry of services: every operation the daemon exposes lands here. */
export class Supervisor {
  readonly events = new EventEmitter();
  private readonly services = new Map<string, Service>();
  private readonly desired = new Map<string, 'running' | 'stopped'>();
  /** Names being deleted: a start of the same name waits for the delete to finish. */
  private readonly retiring = new Map<string, Promise<void>>();
  private readonly logs: LogRegistry;
  private readonly routes: RouteRegistry;
  private readonly stateWriter: CoalescingWriter;
  private readonly exits = new ExitWatcher();
  readonly metrics: MetricsSampler;
  private registration: Promise<void> = Promise.resolve();
  /** Set by shutdown and handover: no new work is taken. */
  private closing: string | null = null;

  constructor(private readonly options: SupervisorOptions) {
    this.events.setMaxListeners(0);
    this.logs = new LogRegistry(
      options.paths,
      this.events,
      (service, stall) => {
        if (stall) options.logger.warn({ service, reason: stall.reason }, 'logs stalled: output is held until the disk takes it again');
        else options.logger.info({ service }, 'logs resumed');
        this.events.emit('change');
      },
      rotationDefaults(process.env),
      (service, message, details) => options.logger.warn({ ...details, service }, message),
    );
    this.routes = new RouteRegistry(
      options.balancerHost ?? '127.0.0.1',
      (name) => this.services.get(name)?.routeTarget() ?? null,
      (port) => [...this.services.values()].find((service) => service.definition.port === port)?.name ?? null,
      options.logger,
    );
    this.stateWriter = new CoalescingWriter(options.paths.state, () => renderStateFile(this.records(), this.routeTables()));
    this.metrics = new MetricsSampler(
      () => this.allInstances().flatMap((instance) => (instance.pid === null ? [] : [instance.pid])),
      () => this.afterSample(),
      // Every second for a dashboard, a memory limit or a new instance; otherwise every 5 s is plenty for `list`.
      () =>
        this.events.listenerCount('metrics') > 0 ||
        [...this.services.values()].some((service) => service.definition.maxMemoryBytes) ||
        this.allInstances().some((instance) => instance.pid !== null && !this.metrics.sampleOf(instance.pid)),
    );
    this.metrics.start();
  }

  get logger(): Logger {
    return this.options.logger;
  }

  names(): string[] {
    return [...this.services.keys()];
  }

  /** Throws APICTL_UNKNOWN_SERVICE (with the known names) unless `name` is registered. */
  assertKnown(name: string): void {
    this.resolveTarget(name);
  }

  /** Registers (once) and starts services; waits for ready unless `timeoutMs` is null. */
  async start(drafts: ServiceDraft[], timeoutMs: number | null, counts?: Map<string, InstanceRecord[]>): Promise<StartResult[]> {
    this.assertOpen();
    // A delete of the same name that came first finishes first.
    await Promise.all(drafts.map((draft) => this.retiring.get(draft.name)));
    const steps = await this.exclusively(() => this.register(drafts));
    const results = await Promise.all(
      steps.map(async ({ service, existed }): Promise<StartResult> => {
        // One being stopped is not running: the start queues behind the stop and runs after it.
        const wasRunning = existed && !['stopped', 'errored', 'stopping'].includes(service.status);
        if (wasRunning) return { name: service.name, action: 'already-running', ok: true, snapshot: this.snapshot(service) };
        this.desired.set(service.name, 'running');
        await service.start(counts?.get(service.name));
        return this.awaitReady(service, existed ? 'restarted' : 'started', timeoutMs);
      }),
    );
    void this.persist();
    return results;
  }

  /**
   * Takes over what a previous daemon ran (see takeover.ts); the slots left
   * start in `rest`, which the caller may run while it already answers.
   */
  takeOver(records: ServiceRecord[], stopLeftovers: (adopted: Set<string>) => Promise<void>): Promise<{ adopted: number; rest: Promise<void> }> {
    return takeOver(
      {
        known: (name) => this.services.has(name),
        register: (record) => {
          const service = this.createService(record.definition);
          this.services.set(record.definition.name, service);
          this.desired.set(record.definition.name, record.desired);
          return service;
        },
        persist: () => void this.persist(),
        logger: this.logger,
      },
      records,
      stopLeftovers,
    );
  }

  /**
   * What dead daemons left in run/ that no live run uses: a stopped leftover's
   * output is salvaged into its service's log; the rest is removed.
   */
  sweepRunDir(): Promise<void> {
    return sweepRunDir({
      runDir: this.options.paths.run,
      live: new Set([...LAUNCHING, ...this.allInstances().flatMap((instance) => (instance.spawnId ? [instance.spawnId] : []))]),
      salvage: (service, index, spawnId) => this.services.get(service)?.salvage(index, spawnId) ?? null,
      fifosChanged: () => this.options.fifosChanged?.(),
    });
  }

  async stop(target: string): Promise<StartResult[]> {
    this.assertOpen();
    return Promise.all(
      this.resolveTarget(target).map(async (service) => {
        this.desired.set(service.name, 'stopped');
        void this.persist();
        await service.stop();
        return { name: service.name, action: 'stopped' as const, ok: true, snapshot: this.snapshot(service) };
      }),
    );
  }

  /** `apictl start <name|all>`: starts what is stopped (or errored); a running one is left as it is. */
  async startStopped(target: string, timeoutMs: number | null): Promise<StartResult[]> {
    this.assertOpen();
    const results = await Promise.all(
      this.resolveTarget(target).map(async (service): Promise<StartResult> => {
        if (!['stopped', 'errored', 'stopping'].includes(service.status)) return { name: service.name, action: 'already-running', ok: true, snapshot: this.snapshot(service) };
        this.desired.set(service.name, 'running');
        await service.start();
        return this.awaitReady(service, 'started', timeoutMs);
      }),
    );
    void this.persist();
    return results;
  }

  async restart(target: string, timeoutMs: number | null): Promise<StartResult[]> {
    this.assertOpen();
    return Promise.all(
      this.resolveTarget(target).map(async (service) => {
        this.desired.set(service.name, 'running');
        await service.restart();
        return this.awaitReady(service, 'restarted', timeoutMs);
      }),
    );
  }

  async reload(target: string, timeoutMs: number): Promise<StartResult[]> {
    this.assertOpen();
    const results: StartResult[] = [];
    for (const service of this.resolveTarget(target)) {
      this.desired.set(service.name, 'running');
      const outcome = await service.reload(timeoutMs);
      results.push({
        name: service.name,
        action: 'reloaded',
        ok: outcome.ok,
        reason: outcome.ok ? undefined : outcome.reason,
        lastLines: outcome.ok ? undefined : this.logs.lastLines(service.name),
        snapshot: this.snapshot(service),
      });
    }
    return results;
  }

  /** `apictl scale <name> N|auto`; waits for the count unless `timeoutMs` is null. */
  async scale(name: string, count: number | 'auto', timeoutMs: number | null): Promise<ScaleOutcome & { name: string; snapshot: ServiceSnapshot }> {
    this.assertOpen();
    const service = this.resolveTarget(name)[0]!;
    const outcome = await service.scale(count, timeoutMs);
    return { name: service.name, ...outcome, snapshot: this.snapshot(service) };
  }

  delete(target: string): Promise<StartResult[]> {
    this.assertOpen();
    // Gone from the registry at once, in the order commands arrived: a start of the same name waits for this.
    return Promise.all(this.resolveTarget(target).map((service) => this.retire(service)));
  }

  /** Every service with live figures (a running instance without a sample yet is sampled first). */
  async list(): Promise<ServiceSnapshot[]> {
    await this.sampleFresh();
    return this.current();
  }

  /** Every service as it stands, with the figures sampled so far (cheap: for progress and dashboards). */
  current(): ServiceSnapshot[] {
    return [...this.services.values()].map((service) => this.snapshot(service));
  }

  async show(name: string): Promise<{ snapshot: ServiceSnapshot; recent: LogLine[]; history: Record<number, unknown[]> }> {
    const service = this.resolveTarget(name)[0]!;
    await this.sampleFresh();
    const history: Record<number, unknown[]> = {};
    for (const instance of service.instances) history[instance.index] = this.metrics.historyOf(instance.pid);
    return { snapshot: this.snapshot(service), recent: this.logs.recent([service.name], 15), history };
  }

  recentLogs(name: string | undefined, limit: number): LogLine[] {
    return this.logs.recent(name ? this.resolveTarget(name).map((service) => service.name) : this.names(), limit);
  }

  flush(target: string | undefined): string[] {
    const names = target && target !== 'all' ? this.resolveTarget(target).map((service) => service.name) : this.names();
    this.logs.flush(names);
    return names;
  }

  /** Each service's request counters, for `apictl metrics`. */
  requestCounters(): Array<{ name: string; requests: ServiceRequests }> {
    return [...this.services.values()].map((service) => ({ name: service.name, requests: service.requests }));
  }

  routeTables(): RouteTable[] {
    return this.routes.tables();
  }

  checkRoutes(table: RouteTable): Promise<void> {
    return this.routes.check(table);
  }

  async addRoutes(table: RouteTable): Promise<void> {
    if (await this.routes.add(table)) void this.persist();
  }

  definitions(): ServiceDefinition[] {
    return [...this.services.values()].map((service) => service.definition);
  }

  records(): ServiceRecord[] {
    return [...this.services.values()].map((service) => ({
      definition: service.definition,
      desired: this.desired.get(service.name) ?? 'running',
      instances: service.records(),
      ...(service.scaler?.pinned != null ? { scale: { pinned: service.scaler.pinned } } : {}),
    }));
  }

  /**
   * Deliberate stop (`kill`, SIGTERM): every service stops and the live list is
   * emptied, so the next daemon starts clean and `resurrect` restores what
   * `save` wrote. Only a daemon that *died* leaves a list to recover.
   */
  async shutdown(): Promise<void> {
    await this.close('the daemon is stopping');
    await this.routes.closeAll();
    await Promise.all([...this.services.values()].map((service) => service.stop()));
    await Promise.all(this.retiring.values());
    this.services.clear();
    this.exits.stop();
    await this.persist();
    this.logs.closeAll();
  }

  /**
   * A handover to a new daemon (`apictl update`): the live list is written with
   * every process still running, then let go of; the processes keep running.
   */
  async handOver(): Promise<void> {
    await this.close('the daemon is being replaced');
    await Promise.all(this.retiring.values());
    const records = await Promise.all(
      [...this.services.values()].map(async (service) => ({
        definition: service.definition,
        desired: this.desired.get(service.name) ?? ('running' as const),
        instances: await service.handOver(),
      })),
    );
    await this.routes.closeAll();
    await this.stateWriter.write(renderStateFile(records, this.routeTables()));
    this.exits.stop();
    this.logs.closeAll(true);
  }

  persist(): Promise<void> {
    return this.stateWriter.schedule().catch((error: Error) => this.logger.error({ err: error }, 'cannot write state.json'));
  }

  /** Refuses new work from now on, then waits for registrations already under way. */
  private async close(why: string): Promise<void> {
    this.closing ??= why;
    this.metrics.stop();
    await this.registration;
  }

  private assertOpen(): void {
    if (this.closing) throw new ApictlError('APICTL_DAEMON_STOPPING', `${this.closing}; nothing new is started`, { hint: 'run the command again in a moment' });
  }

  private retire(service: Service): Promise<StartResult> {
    this.services.delete(service.name);
    this.desired.delete(service.name);
    const retired = (async () => {
      await service.retire();
      this.logs.close(service.logs);
      await this.routes.dropOrphans((name) => this.services.has(name));
      void this.persist();
      this.events.emit('change');
    })().finally(() => {
      if (this.retiring.get(service.name) === retired) this.retiring.delete(service.name);
    });
    this.retiring.set(service.name, retired);
    return retired.then(() => ({ name: service.name, action: 'deleted' as const, ok: true }));
  }

  private async register(drafts: ServiceDraft[]): Promise<Array<{ service: Service; existed: boolean }>> {
    const registered = new Map([...this.services].map(([name, service]) => [name, service.definition]));
    const plan = planStart(drafts, registered);
    const ports = await allocatePorts(plan.steps, registered.values(), plan.issues, this.options.portBase);
    // A shutdown that began meanwhile wins: nothing is registered it would not stop.
    this.assertOpen();
    const steps = plan.steps.map((step) => {
      if (step.kind === 'existing') return { service: this.services.get(step.name)!, existed: true };
      const definition: ServiceDefinition = { ...step.draft, port: ports.get(step.draft.name) ?? null };
      const service = this.createService(definition);
      this.services.set(definition.name, service);
      this.logger.info({ service: definition.name, port: definition.port }, 'registered');
      return { service, existed: false };
    });
    void this.persist();
    return steps;
  }

  private createService(definition: ServiceDefinition): Service {
    return new Service(definition, {
      logs: this.logs.create(definition),
      command: this.options.command,
      logger: this.logger,
      baseEnv: this.options.baseEnv,
      balancerHost: this.options.balancerHost ?? '127.0.0.1',
      // dotenv is loaded with the first envFile: most daemons never read one.
      readEnvFile: async (path) => (await import('../config/dotenv.js')).parseDotenv(readFileSync(path, 'utf8')).values,
      runDir: this.options.paths.run,
      exits: this.exits,
      fifosChanged: this.options.fifosChanged ?? (() => undefined),
      scaling: { readMemory: () => readFreeMemory(), memoryOf: (pid) => this.metrics.sampleOf(pid)?.memory ?? null },
      changed: () => {
        void this.persist();
        this.events.emit('change');
      },
    });
  }

  private async awaitReady(service: Service, action: StartResult['action'], timeoutMs: number | null): Promise<StartResult> {
    if (timeoutMs === null) return { name: service.name, action, ok: true, snapshot: this.snapshot(service) };
    const outcomes = await service.waitUntilReady(timeoutMs);
    const failed = outcomes.find((outcome) => !outcome.ok);
    if (!failed || failed.ok) return { name: service.name, action, ok: true, snapshot: this.snapshot(service) };
    return { name: service.name, action, ok: false, reason: failed.reason, lastLines: this.logs.lastLines(service.name), snapshot: this.snapshot(service) };
  }

  private snapshot(service: Service): ServiceSnapshot {
    return snapshotService(service, (pid) => this.metrics.sampleOf(pid));
  }

  /** Live figures for every running instance before answering (bounded: a slow /proc never holds `list`). */
  private async sampleFresh(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.metrics.ensureSampled(), new Promise((resolve) => (timer = setTimeout(resolve, SAMPLE_WAIT_MS)))]);
    clearTimeout(timer);
  }

  private resolveTarget(target: string): Service[] {
    if (target === 'all') return [...this.services.values()];
    const service = this.services.get(target);
    if (!service) {
      throw new ApictlError('APICTL_UNKNOWN_SERVICE', `no service named "${target}"`, {
        hint: this.services.size > 0 ? `known: ${this.names().join(', ')}` : 'nothing is registered yet; apictl start <script> adds one',
      });
    }
    return [service];
  }

  private allInstances() {
    return [...this.services.values()].flatMap((service) => service.instances);
  }

  private afterSample(): void {
    for (const service of this.services.values()) {
      for (const instance of service.instances) {
        const memory = this.metrics.sampleOf(instance.pid)?.memory ?? null;
        const reason = checkMemory({ status: instance.status, memory }, service.definition.maxMemoryBytes);
        if (reason) void instance.restart(reason);
      }
    }
    this.events.emit('metrics');
  }

  private exclusively<T>(work: () => Promise<T>): Promise<T> {
    const run = this.registration.then(work, work);
    // Settled to nothing: holding `run` itself kept the last batch of services (its result) alive after their delete.
    this.registration = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}

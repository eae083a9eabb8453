import type { Logger } from 'pino';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { ApictlError } from '../errors.js';
import { parseDotenv } from '../config/dotenv.js';
import type { ServiceDraft } from '../config/validate.js';
import type { LogLine } from '../logs/log-line.js';
import { MetricsSampler } from '../metrics/sampler.js';
import type { ServiceRequests } from '../metrics/service-requests.js';
import type { CommandContext } from '../process/interpreter.js';
import type { HomePaths } from '../state/paths.js';
import { LogRegistry } from '../logs/log-registry.js';
import { CoalescingWriter, STATE_VERSION, type ServiceRecord, type StateFile } from '../state/store.js';
import type { RouteTable, ServiceDefinition, ServiceSnapshot } from '../types.js';
import { Service } from './service.js';
import { planStart } from './start-plan.js';
import { allocatePorts } from './port-allocation.js';
import { snapshotService } from './snapshot.js';
import { RouteRegistry } from './route-registry.js';
import { checkMemory } from './memory-guard.js';

export interface SupervisorOptions {
  paths: HomePaths;
  logger: Logger;
  command: CommandContext;
  baseEnv: Record<string, string>;
  portBase?: number;
  balancerHost?: string;
}

export interface StartResult {
  name: string;
  action: 'started' | 'already-running' | 'restarted' | 'reloaded' | 'stopped' | 'deleted';
  ok: boolean;
  reason?: string;
  lastLines?: string[];
  snapshot?: ServiceSnapshot;
}

/** The registry of services: every operation the daemon exposes lands here. */
export class Supervisor {
  readonly events = new EventEmitter();
  private readonly services = new Map<string, Service>();
  private readonly desired = new Map<string, 'running' | 'stopped'>();
  private readonly logs: LogRegistry;
  private readonly routes: RouteRegistry;
  private readonly stateWriter: CoalescingWriter;
  readonly metrics: MetricsSampler;
  private registration: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: SupervisorOptions) {
    this.events.setMaxListeners(0);
    this.logs = new LogRegistry(options.paths, this.events);
    this.routes = new RouteRegistry(
      options.balancerHost ?? '127.0.0.1',
      (name) => this.services.get(name)?.routeTarget() ?? null,
      (port) => [...this.services.values()].find((service) => service.definition.port === port)?.name ?? null,
      options.logger,
    );
    this.stateWriter = new CoalescingWriter(options.paths.state, () => this.renderState());
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
  async start(drafts: ServiceDraft[], timeoutMs: number | null, restarts?: Map<string, number[]>): Promise<StartResult[]> {
    const steps = await this.exclusively(() => this.register(drafts));
    const results = await Promise.all(
      steps.map(async ({ service, existed }): Promise<StartResult> => {
        const wasRunning = existed && !['stopped', 'errored'].includes(service.status);
        if (wasRunning) return { name: service.name, action: 'already-running', ok: true, snapshot: this.snapshot(service) };
        this.desired.set(service.name, 'running');
        await service.start(restarts?.get(service.name));
        return this.awaitReady(service, existed ? 'restarted' : 'started', timeoutMs);
      }),
    );
    void this.persist();
    return results;
  }

  async stop(target: string): Promise<StartResult[]> {
    return Promise.all(
      this.resolveTarget(target).map(async (service) => {
        this.desired.set(service.name, 'stopped');
        void this.persist();
        await service.stop();
        return { name: service.name, action: 'stopped' as const, ok: true, snapshot: this.snapshot(service) };
      }),
    );
  }

  async restart(target: string, timeoutMs: number | null): Promise<StartResult[]> {
    return Promise.all(
      this.resolveTarget(target).map(async (service) => {
        this.desired.set(service.name, 'running');
        await service.restart();
        return this.awaitReady(service, 'restarted', timeoutMs);
      }),
    );
  }

  async reload(target: string, timeoutMs: number): Promise<StartResult[]> {
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

  async delete(target: string): Promise<StartResult[]> {
    return Promise.all(
      this.resolveTarget(target).map(async (service) => {
        await service.retire();
        this.services.delete(service.name);
        this.desired.delete(service.name);
        await this.logs.close(service.name);
        await this.routes.dropOrphans((name) => this.services.has(name));
        void this.persist();
        this.events.emit('change');
        return { name: service.name, action: 'deleted' as const, ok: true };
      }),
    );
  }

  list(): ServiceSnapshot[] {
    return [...this.services.values()].map((service) => this.snapshot(service));
  }

  show(name: string): { snapshot: ServiceSnapshot; recent: LogLine[]; history: Record<number, unknown[]> } {
    const service = this.resolveTarget(name)[0]!;
    const history: Record<number, unknown[]> = {};
    for (const instance of service.instances) history[instance.index] = this.metrics.historyOf(instance.pid);
    return { snapshot: this.snapshot(service), recent: this.logs.recent([service.name], 15), history };
  }

  recentLogs(name: string | undefined, limit: number): LogLine[] {
    return this.logs.recent(name ? this.resolveTarget(name).map((service) => service.name) : this.names(), limit);
  }

  async flush(target: string | undefined): Promise<string[]> {
    const names = target && target !== 'all' ? this.resolveTarget(target).map((service) => service.name) : this.names();
    await this.logs.flush(names);
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
    }));
  }

  /** Registers a recovered service as stopped (its user had stopped it). */
  adoptStopped(definition: ServiceDefinition): void {
    if (this.services.has(definition.name)) return;
    this.services.set(definition.name, this.createService(definition));
    this.desired.set(definition.name, 'stopped');
  }

  /**
   * Deliberate stop (`kill`, SIGTERM): every service stops and the live list is
   * emptied, so the next daemon starts clean and `resurrect` restores what
   * `save` wrote. Only a daemon that *died* leaves a list to recover.
   */
  async shutdown(): Promise<void> {
    this.metrics.stop();
    await this.routes.closeAll();
    await Promise.all([...this.services.values()].map((service) => service.stop()));
    this.services.clear();
    await this.persist();
    await this.logs.closeAll();
  }

  persist(): Promise<void> {
    return this.stateWriter.schedule().catch((error: Error) => this.logger.error({ err: error }, 'cannot write state.json'));
  }

  private async register(drafts: ServiceDraft[]): Promise<Array<{ service: Service; existed: boolean }>> {
    const registered = new Map([...this.services].map(([name, service]) => [name, service.definition]));
    const plan = planStart(drafts, registered);
    const ports = await allocatePorts(plan.steps, registered.values(), plan.issues, this.options.portBase);
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
    const sink = this.logs.create(definition);
    return new Service(definition, {
      logs: sink,
      command: this.options.command,
      logger: this.logger,
      baseEnv: this.options.baseEnv,
      balancerHost: this.options.balancerHost ?? '127.0.0.1',
      readEnvFile: (path) => parseDotenv(readFileSync(path, 'utf8')).values,
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
    return {
      name: service.name,
      action,
      ok: false,
      reason: failed.reason,
      lastLines: this.logs.lastLines(service.name),
      snapshot: this.snapshot(service),
    };
  }

  private snapshot(service: Service): ServiceSnapshot {
    return snapshotService(service, (pid) => this.metrics.sampleOf(pid));
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
    this.registration = run.catch(() => undefined);
    return run;
  }

  private renderState(): StateFile {
    return { version: STATE_VERSION, daemonPid: process.pid, services: this.records(), routes: this.routeTables() };
  }
}

import type { ServiceSnapshot, Status } from '../types.js';
import { BUCKET_COUNT, LATENCY_BOUNDS_SECONDS } from './latency-buckets.js';
import { STATUS_CLASSES } from './request-stats.js';
import type { ServiceRequests } from './service-requests.js';

export interface ScrapeInput {
  services: ServiceSnapshot[];
  counters: Array<{ name: string; requests: ServiceRequests }>;
}

/** What a scrape reads from the supervisor. */
export interface ScrapeSource {
  /** The services as they stand (figures as last sampled). */
  current(): ServiceSnapshot[];
  requestCounters(): ScrapeInput['counters'];
}

type Labels = Record<string, string>;
interface Sample {
  labels: Labels;
  value: number;
  /** For a histogram's _bucket/_sum/_count lines. */
  metricName?: string;
}
interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter' | 'histogram';
  samples: Sample[];
}

const STATUSES: Status[] = ['starting', 'online', 'stopping', 'stopped', 'waiting', 'errored'];

/**
 * Pure: every metric family from one scrape's data. Labels follow Prometheus
 * conventions; the instance is `instance_index`, since `instance` is the
 * label Prometheus itself gives every scraped series (the scrape target).
 */
export function collectFamilies({ services, counters }: ScrapeInput): Family[] {
  const family = (name: string, help: string, type: Family['type']): Family => ({ name, help, type, samples: [] });
  const up = family('apictl_instance_up', 'Whether the instance is online (ready), 1 or 0.', 'gauge');
  const status = family('apictl_instance_status', 'The instance status: 1 for the current one.', 'gauge');
  const cpu = family('apictl_instance_cpu_usage_ratio', "CPU used by the instance's process group, as a fraction of one core.", 'gauge');
  const memory = family('apictl_instance_memory_bytes', "Resident memory of the instance's process group.", 'gauge');
  const restarts = family('apictl_instance_restarts_total', 'Restarts of the instance.', 'counter');
  const uptime = family('apictl_instance_uptime_seconds', 'Time since the instance started.', 'gauge');
  for (const service of services) {
    for (const instance of service.instances) {
      const labels = { service: service.name, instance_index: String(instance.index) };
      up.samples.push({ labels, value: instance.status === 'online' ? 1 : 0 });
      for (const name of STATUSES) status.samples.push({ labels: { ...labels, status: name }, value: instance.status === name ? 1 : 0 });
      // No sample yet (memory 0 for a live process): left out rather than reported as 0.
      if (instance.pid !== null && instance.memory > 0) {
        cpu.samples.push({ labels, value: instance.cpu / 100 });
        memory.samples.push({ labels, value: instance.memory });
      }
      restarts.samples.push({ labels, value: instance.restarts });
      uptime.samples.push({ labels, value: instance.uptime / 1000 });
    }
  }
  const requests = family('apictl_http_requests_total', 'HTTP requests apictl proxied, by status class.', 'counter');
  const inflight = family('apictl_http_requests_in_flight', 'HTTP requests being served now.', 'gauge');
  const duration = family('apictl_http_request_duration_seconds', 'Time from a request reaching apictl to the last byte of its answer.', 'histogram');
  for (const { name, requests: counted } of counters) {
    for (const { instance, route, stats } of counted.all()) {
      const labels = { service: name, instance_index: instance < 0 ? '' : String(instance), route };
      inflight.samples.push({ labels, value: stats.inflight });
      STATUS_CLASSES.forEach((statusClass, classIndex) => {
        const count = stats.byClass[classIndex]!;
        if (count === 0) return;
        const classLabels = { ...labels, status_class: statusClass };
        requests.samples.push({ labels: classLabels, value: count });
        let cumulative = 0;
        for (let bucket = 0; bucket < BUCKET_COUNT; bucket++) {
          cumulative += stats.buckets[classIndex * BUCKET_COUNT + bucket]!;
          const le = bucket < LATENCY_BOUNDS_SECONDS.length ? String(LATENCY_BOUNDS_SECONDS[bucket]) : '+Inf';
          duration.samples.push({ metricName: `${duration.name}_bucket`, labels: { ...classLabels, le }, value: cumulative });
        }
        duration.samples.push({ metricName: `${duration.name}_sum`, labels: classLabels, value: stats.sumSeconds[classIndex]! });
        duration.samples.push({ metricName: `${duration.name}_count`, labels: classLabels, value: count });
      });
    }
  }
  return [up, status, cpu, memory, restarts, uptime, requests, inflight, duration, ...scalingFamilies(services, family)];
}

/** Balanced services' counts, steps and cold starts (autoscaling, `apictl scale`). */
function scalingFamilies(services: ServiceSnapshot[], family: (name: string, help: string, type: Family['type']) => Family): Family[] {
  const current = family('apictl_autoscale_instances', 'Instances the service has now (any status).', 'gauge');
  const min = family('apictl_autoscale_min_instances', 'The least it scales down to (its count when not autoscaled).', 'gauge');
  const max = family('apictl_autoscale_max_instances', 'The most it scales up to.', 'gauge');
  const steps = family('apictl_autoscale_steps_total', 'Scaling steps taken, by direction.', 'counter');
  const cold = family('apictl_autoscale_cold_starts_total', 'Instances started for requests that found none ready (scale to zero).', 'counter');
  const coldSeconds = family('apictl_autoscale_cold_start_seconds_total', 'Time cold starts took, from the decision to the instance being ready.', 'counter');
  const coldTimeouts = family('apictl_autoscale_cold_start_timeouts_total', 'Requests answered 503 after waiting coldStartTimeout for an instance.', 'counter');
  for (const { name, autoscale } of services) {
    if (!autoscale) continue;
    const labels = { service: name };
    current.samples.push({ labels, value: autoscale.current });
    min.samples.push({ labels, value: autoscale.min });
    max.samples.push({ labels, value: autoscale.max });
    steps.samples.push({ labels: { ...labels, direction: 'up' }, value: autoscale.steps.up }, { labels: { ...labels, direction: 'down' }, value: autoscale.steps.down });
    cold.samples.push({ labels, value: autoscale.coldStarts.count });
    coldSeconds.samples.push({ labels, value: autoscale.coldStarts.totalMs / 1000 });
    coldTimeouts.samples.push({ labels, value: autoscale.coldStarts.timeouts });
  }
  return [current, min, max, steps, cold, coldSeconds, coldTimeouts];
}

/**
 * The exposition text, through prom-client's registry (escaping, format,
 * content type). prom-client is loaded on the first scrape only; the values
 * come from apictl's own fixed-size counters, registered as collected
 * metrics (as prom-client's own cluster aggregator registers its results),
 * so a request costs no label hashing and a deleted service leaves no series.
 */
export async function renderPrometheus(source: ScrapeSource): Promise<{ contentType: string; text: string }> {
  const input = { services: source.current(), counters: source.requestCounters() };
  const { Registry } = await import('prom-client');
  const registry = new Registry();
  for (const family of collectFamilies(input)) {
    const values = family.samples;
    registry.registerMetric({
      name: family.name,
      help: family.help,
      type: family.type,
      aggregator: 'sum',
      get: async () => ({ name: family.name, help: family.help, type: family.type, aggregator: 'sum', values }),
    } as unknown as Parameters<typeof registry.registerMetric>[0]);
  }
  return { contentType: registry.contentType, text: await registry.metrics() };
}

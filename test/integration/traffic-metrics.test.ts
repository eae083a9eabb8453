import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness } from '../helpers/harness.js';
import { fetchRaw } from '../helpers/http-client.js';
import { parseStrictExposition, type Family } from '../helpers/exposition.js';

const harness = new Harness(26300);
afterAll(() => harness.cleanup());

const METRICS_PORT = 26399;

/** Sum of a family's samples whose labels include `wanted`. */
function total(families: Family[], name: string, wanted: Record<string, string>): number {
  const family = families.find((item) => item.name === name);
  if (!family) throw new Error(`no family ${name}`);
  // A histogram's total is its _count.
  const samples = family.type === 'histogram' ? family.samples.filter((sample) => sample.name.endsWith('_count')) : family.samples;
  return samples
    .filter((sample) => Object.entries(wanted).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

async function scrape(): Promise<Family[]> {
  return parseStrictExposition((await harness.ok(['metrics'])).stdout);
}

describe('request metrics, apictl metrics and the metrics port', () => {
  it('counts a known mix of answers per service, instance and status class', async () => {
    const file = join(harness.work, 'counted.json');
    writeFileSync(file, JSON.stringify({
      services: [
        { name: 'counted', script: join(FIXTURES, 'traffic-server.js'), port: 26301, instances: 2 },
        { name: 'rcounted', script: join(FIXTURES, 'plumber-traffic.R'), port: 26302, health: '/health', instances: 2 },
      ],
    }));
    // The daemon this command starts serves /metrics on the port.
    await harness.ok(['start', file], { env: { APICTL_METRICS_PORT: String(METRICS_PORT) } });
    const paths = [...Array(10).fill('/'), ...Array(3).fill('/status/404'), ...Array(2).fill('/status/500')];
    for (const path of paths) await fetchRaw(26301, path);
    const rPaths = [...Array(4).fill('/headers'), ...Array(2).fill('/fail'), '/missing'];
    for (const path of rPaths) await fetchRaw(26302, path);

    const [counted, rcounted] = [await harness.service('counted'), await harness.service('rcounted')];
    expect(counted.requests).toMatchObject({ total: 15, inflight: 0, byClass: { '1xx': 0, '2xx': 10, '3xx': 0, '4xx': 3, '5xx': 2 } });
    expect(counted.instances.map((instance) => instance.requests!.total).reduce((a, b) => a + b)).toBe(15);
    expect(counted.instances.every((instance) => instance.requests!.total > 0)).toBe(true);
    expect(counted.requests!.p50Ms).toBeGreaterThan(0);
    expect(counted.requests!.p99Ms).toBeGreaterThanOrEqual(counted.requests!.p95Ms!);
    expect(rcounted.requests).toMatchObject({ total: 7, byClass: { '2xx': 4, '4xx': 1, '5xx': 2 } });
    const shown = (await harness.ok(['show', 'rcounted'])).stdout;
    expect(shown).toMatch(/^ {2}all {9}7 total \(2xx 4, 4xx 1, 5xx 2\), 0 in flight, [\d.]+ req\/s, p50 [\d.]+ ms/m);
    expect(shown).toMatch(/^ {2}\[0\] {9}\d+ total/m);
  });

  it('prints Prometheus text that a strict parser reads, with the same counts', async () => {
    await harness.waitFor('memory figures of every instance', () => harness.list(), (services) => services.every((service) => service.instances.every((instance) => instance.memory > 0)));
    const families = await scrape();
    expect(total(families, 'apictl_http_requests_total', { service: 'counted' })).toBe(15);
    expect(total(families, 'apictl_http_requests_total', { service: 'counted', status_class: '4xx' })).toBe(3);
    expect(total(families, 'apictl_http_requests_total', { service: 'counted', status_class: '5xx' })).toBe(2);
    expect(total(families, 'apictl_http_requests_total', { service: 'rcounted', status_class: '5xx' })).toBe(2);
    expect(total(families, 'apictl_http_request_duration_seconds', { service: 'counted' })).toBe(15);
    expect(total(families, 'apictl_http_requests_in_flight', { service: 'counted' })).toBe(0);
    for (const service of ['counted', 'rcounted']) {
      for (const index of ['0', '1']) {
        const labels = { service, instance_index: index };
        expect(total(families, 'apictl_instance_up', labels)).toBe(1);
        expect(total(families, 'apictl_instance_status', { ...labels, status: 'online' })).toBe(1);
        expect(total(families, 'apictl_instance_memory_bytes', labels)).toBeGreaterThan(1_000_000);
        expect(total(families, 'apictl_instance_restarts_total', labels)).toBe(0);
      }
    }
    const types = Object.fromEntries(families.map((family) => [family.name, family.type]));
    expect(types).toMatchObject({
      apictl_http_requests_total: 'counter', apictl_http_request_duration_seconds: 'histogram', apictl_instance_memory_bytes: 'gauge',
      apictl_instance_cpu_usage_ratio: 'gauge', apictl_instance_uptime_seconds: 'gauge',
    });
  });

  it('serves the same on the metrics port, 127.0.0.1 only', async () => {
    const answer = await fetchRaw(METRICS_PORT, '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = parseStrictExposition(answer.body);
    expect(total(families, 'apictl_http_requests_total', { service: 'counted' })).toBe(15);
    expect((await fetchRaw(METRICS_PORT, '/')).status).toBe(404);
  });

  it('forgets every series of a deleted service', async () => {
    await harness.ok(['delete', 'counted']);
    const text = (await harness.ok(['metrics'])).stdout;
    parseStrictExposition(text);
    expect(text).not.toContain('service="counted"');
    expect(text).toContain('service="rcounted"');
  });
});

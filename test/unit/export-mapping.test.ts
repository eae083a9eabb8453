import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderMappingTable } from '../../src/export/field-table.js';
import { layInstances } from '../../src/export/instance-layout.js';
import { toKubernetesName } from '../../src/export/k8s-names.js';
import { fixPorts } from '../../src/export/load-services-file.js';
import { RENDERERS } from '../../src/export/render.js';
import { orderRoutes } from '../../src/export/route-rules.js';
import { detectRuntime } from '../../src/export/runtime.js';
import { isSecretName } from '../../src/export/secrets.js';
import { EXPORT_TARGETS, type ExportTarget } from '../../src/export/types.js';
import { formatDuration, formatSize, toSeconds } from '../../src/export/units.js';
import type { ServiceDraft } from '../../src/config/validate.js';
import { REPO } from '../helpers/harness.js';
import { definitionOf, inputOf, shopInput } from '../helpers/export-input.js';

/** "service: field" of each warning (the text after it says what to do instead). */
const fieldsOf = (warnings: string[]) => warnings.map((warning) => /^(.+?: [^:]+):/.exec(warning)?.[1] ?? warning).sort();

describe('export: small pure pieces', () => {
  it.each([
    ['api', 'api'], ['Hello_API', 'hello-api'], ['my.svc', 'my-svc'], ['9lives', 's-9lives'], ['-x', 'x'], ['a'.repeat(64), 'a'.repeat(63)],
  ])('Kubernetes name of %j is %j', (name, expected) => expect(toKubernetesName(name)).toBe(expected));

  it.each([
    [314_572_800, 'k8s', '300Mi'], [314_572_800, 'compose', '300m'], [314_572_800, 'systemd', '300M'],
    [1536, 'k8s', '1536'], [2048, 'k8s', '2Ki'], [1000, 'compose', '1000b'], [1000, 'systemd', '1000'],
  ] as const)('size %d for %s is %s', (bytes, style, expected) => expect(formatSize(bytes, style)).toBe(expected));

  it.each([[5000, '5s', 5], [1500, '1500ms', 2], [250, '250ms', 1], [0, '0s', 1]])('%d ms: %s, %d s rounded up', (ms, text, seconds) => {
    expect(formatDuration(ms)).toBe(text);
    expect(toSeconds(ms)).toBe(seconds);
  });

  it.each([['DB_PASSWORD', true], ['api_token', true], ['SECRET', true], ['PAYMENT_API_KEY', true], ['GREETING', false], ['PORT', false]])('%s looks secret: %s', (name, expected) =>
    expect(isSecretName(name)).toBe(expected),
  );

  it.each([
    ['node', 'app.js', 'node'], ['node', 'app.ts', 'typescript'], ['/usr/bin/node', 'app.mts', 'typescript'], ['python3', 'app.py', 'python'],
    ['python3.12', 'app.py', 'python'], ['Rscript', 'api.R', 'r'], ['bash', 'run.sh', 'other'], ['none', 'server', 'other'],
  ])('%s %s is a %s service', (interpreter, script, runtime) => expect(detectRuntime(interpreter, script)).toBe(runtime));

  it('orders routes longest first, "/api" and "/api/" being one prefix', () => {
    const rules = orderRoutes({ port: 1, routes: [
      { prefix: '/', service: 'root', strip: false }, { prefix: '/api/', service: 'slash', strip: false },
      { prefix: '/api', service: 'api', strip: false }, { prefix: '/api/v2', service: 'v2', strip: false },
    ] });
    expect(rules.map((rule) => [rule.base, rule.service])).toEqual([['/api/v2', 'v2'], ['/api', 'api'], ['/', 'root']]);
  });

  it('lays instance ports out above every port in use, a fronted service after another', () => {
    const layout = layInstances(inputOf([
      definitionOf({ name: 'a', port: 8101, instances: 2 }), definitionOf({ name: 'b', port: 8150 }),
      definitionOf({ name: 'c', port: 8102, maxInflight: 5 }), definitionOf({ name: 'd', port: null }),
    ], [{ port: 8199, paths: { '/': 'b' } }]));
    expect(Object.fromEntries(layout)).toEqual({ a: [8200, 8201], b: [8150], c: [8202], d: [] });
  });

  it('gives "auto" ports the first free from the base that the file does not use, and says so', () => {
    const draft = (name: string, port: ServiceDraft['port']) => ({ ...definitionOf({ name }), port }) as ServiceDraft;
    const { definitions, warnings } = fixPorts([draft('a', 'auto'), draft('b', 8000), draft('c', 'auto')], { port: 8001, paths: { '/': 'b' } }, 8000);
    expect(definitions.map((definition) => definition.port)).toEqual([8002, 8000, 8003]);
    expect(fieldsOf(warnings)).toEqual(['a: port', 'c: port']);
  });
});

const SHOP_WARNINGS: Record<ExportTarget, string[]> = {
  compose: [
    'api: cronRestart', 'api: env.DB_PASSWORD', 'api: health', 'api: watch, ignore', 'reports: health', 'routes (port 24010): routes',
    'search: health', 'search: instances (N > 1)', 'search: maxInflight', 'search: restartDelay', 'search: sticky',
  ],
  k8s: [
    'api: cronRestart', 'api: env.DB_PASSWORD', 'api: envFile PAYMENT_API_KEY', 'api: logMaxSize, logKeep', 'api: maxRestarts', 'api: restart',
    'api: watch, ignore', 'search: maxInflight', 'search: restartDelay',
  ],
  systemd: [
    'api: cronRestart', 'api: env.DB_PASSWORD', 'api: health', 'api: logMaxSize, logKeep', 'api: watch, ignore', 'reports: health',
    'routes (port 24010): routes', 'search: health', 'search: instances (N > 1)', 'search: maxInflight', 'search: sticky',
  ],
  nginx: ['api: health', 'reports: health', 'search: health', 'search: maxInflight', 'search: sticky'],
  haproxy: [],
};

/** Every field the adapter reads defensively, set: autoscaling to zero, traffic settings, drain. */
const future = definitionOf({
  name: 'grow', port: 9000, instances: { min: 0, max: 4 } as unknown as number, loadFactor: 0.7, idleTimeoutMs: 120_000,
  drainTimeoutMs: 10_000, accessLog: true, trustProxy: true, inheritEnv: true, logMaxLineBytes: 4096,
  headerTimeoutMs: 5000, keepAliveTimeoutMs: 4000, connectTimeoutMs: 2000, responseTimeoutMs: 30_000,
});

const FUTURE_WARNINGS: Record<ExportTarget, string[]> = {
  compose: ['accessLog', 'connectTimeout', 'headerTimeout', 'inheritEnv', 'instances {min, max}', 'keepAliveTimeout', 'logMaxLine', 'responseTimeout', 'trustProxy'],
  k8s: ['accessLog', 'headerTimeout', 'inheritEnv', 'instances.min 0, coldStartTimeout', 'keepAliveTimeout', 'logMaxLine', 'maxConnsPerInstance, loadFactor', 'trustProxy'],
  systemd: ['accessLog', 'connectTimeout', 'headerTimeout', 'inheritEnv', 'instances {min, max}', 'keepAliveTimeout', 'logMaxLine', 'responseTimeout', 'trustProxy'],
  nginx: ['trustProxy'],
  haproxy: ['trustProxy'],
};

describe.each(EXPORT_TARGETS)('export %s: the warnings name exactly the fields without an equivalent', (target) => {
  it('for the shop', () => expect(fieldsOf(RENDERERS[target](shopInput()).warnings)).toEqual(SHOP_WARNINGS[target]));

  it('for the fields still being added (autoscaling, traffic, drain)', () => {
    const warnings = RENDERERS[target](inputOf([future])).warnings;
    expect(fieldsOf(warnings)).toEqual(FUTURE_WARNINGS[target].map((field) => `grow: ${field}`).sort());
  });
});

describe('export: fields still being added, through the adapter', () => {
  it('k8s: instances {min, max} becomes an HPA, the Deployment leaves the count to it, drain lengthens the grace period', () => {
    const [manifests] = RENDERERS.k8s(inputOf([future])).files.map((file) => file.content.split(/^---$/m).map((text) => parse(text)));
    const byKind = Object.fromEntries(manifests!.map((manifest) => [manifest.kind, manifest]));
    expect(byKind.HorizontalPodAutoscaler.spec).toMatchObject({
      minReplicas: 1, maxReplicas: 4,
      metrics: [{ resource: { name: 'cpu', target: { averageUtilization: 70 } } }],
      behavior: { scaleDown: { stabilizationWindowSeconds: 120 } },
    });
    expect(byKind.Deployment.spec.replicas).toBeUndefined();
    expect(byKind.Deployment.spec.template.spec.terminationGracePeriodSeconds).toBe(15);
  });

  it('a validated autoscaled definition (a services file, the running set) exports as {min, max}, not as its start count', async () => {
    const { validateServicesFile } = await import('../../src/config/validate.js');
    const checked = validateServicesFile({ services: [{ name: 'grow', script: 'app.py', port: 9000, instances: { min: 0, max: 3 }, idleTimeout: '2m' }] }, '/srv/app', { isFile: () => true, which: () => null });
    if (!checked.ok) throw new Error(checked.issues.join('\n'));
    const { definitions } = fixPorts(checked.drafts, undefined, 8000);
    expect(definitions[0]!.instances).toBe(0);
    const [manifests] = RENDERERS.k8s(inputOf(definitions)).files.map((file) => file.content.split(/^---$/m).map((text) => parse(text)));
    const byKind = Object.fromEntries(manifests!.map((manifest) => [manifest.kind, manifest]));
    expect(byKind.HorizontalPodAutoscaler.spec).toMatchObject({ minReplicas: 1, maxReplicas: 3, behavior: { scaleDown: { stabilizationWindowSeconds: 120 } } });
    expect(byKind.Deployment.spec.replicas).toBeUndefined();
  });

  it('nginx and haproxy: every instance up to max gets a server; timeouts and access log are set', () => {
    const nginx = RENDERERS.nginx(inputOf([future])).files[0]!.content;
    expect(nginx.match(/server 127\.0\.0\.1:91\d\d;/g)).toEqual(['server 127.0.0.1:9100;', 'server 127.0.0.1:9101;', 'server 127.0.0.1:9102;', 'server 127.0.0.1:9103;']);
    expect(nginx).toContain('proxy_connect_timeout 2s;');
    expect(nginx).toContain('proxy_read_timeout 30s;');
    expect(nginx).not.toContain('access_log off;');
    const haproxy = RENDERERS.haproxy(inputOf([future])).files[0]!.content;
    expect(haproxy).toContain('timeout http-request 5s');
    expect(haproxy).toContain('option httplog');
    expect(haproxy.match(/server grow-\d/g)).toHaveLength(4);
  });

  it('a route that strips its prefix: nginx replaces it with "/", haproxy sets the path, k8s warns', () => {
    const input = inputOf([definitionOf({ name: 'api' })], [{ port: 9001, paths: { '/v1': { service: 'api', strip: true } as unknown as string } }]);
    const nginx = RENDERERS.nginx(input).files[0]!.content;
    expect(nginx).toMatch(/location = \/v1 \{\n\s+proxy_pass http:\/\/api\/;/);
    expect(nginx).toMatch(/location \/v1\/ \{\n\s+proxy_pass http:\/\/api\/;/);
    expect(RENDERERS.haproxy(input).files[0]!.content).toContain('http-request set-path %[path,regsub(^/v1/?,/)] if { var(txn.route) -m str 0 }');
    expect(fieldsOf(RENDERERS.k8s(input).warnings)).toEqual(['routes (port 9001): routes strip']);
  });

  it('systemd: a template unit takes its port from the instance name, and escapes % and $ in values', () => {
    const input = inputOf([definitionOf({ name: 'w', instances: 2, args: ['--port', '{port}', '100%', '$HOME'], env: { NOTE: 'a b' } })]);
    const [unit] = RENDERERS.systemd(input).files;
    expect(unit!.path).toBe('w@.service');
    expect(unit!.content).toContain('Environment=PORT=%i\n');
    expect(unit!.content).toContain('Environment="NOTE=a b"\n');
    expect(unit!.content).toContain('ExecStart=/usr/bin/env python3 /srv/app/main.py --port %i 100%% $$HOME\n');
    expect(unit!.content).toContain('systemctl enable --now w@9100 w@9101');
  });
});

describe('README', () => {
  it('holds the mapping table exactly as the field table renders it', () => {
    expect(readFileSync(join(REPO, 'README.md'), 'utf8')).toContain(renderMappingTable());
  });
});

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
import { definitionOf, fileInput, inputOf, shopInput } from '../helpers/export-input.js';

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

/**
 * The fields export once read under guessed names, spelled as a services
 * file does (through the schema, so a name export does not know fails
 * here): autoscaling to zero, drain, every traffic setting, a queue.
 */
const future = fileInput({
  services: [{
    name: 'grow', script: 'main.py', port: 9000, instances: { min: 0, max: 4 }, loadFactor: 0.7, idleTimeout: '120s',
    drainTimeout: '10s', accessLog: true, trustProxy: '10.0.0.0/8', inheritEnv: true, logMaxLine: 4096,
    headerTimeout: '5s', keepAliveTimeout: '4s', connectTimeout: '2s', upstreamTimeout: '30s', sendTimeout: '20s',
    maxInflight: 3, queueTimeout: '15s', queueLimit: 8,
  }],
});

const TRAFFIC_EVERYWHERE_BUT_FRONTS = ['accessLog', 'connectTimeout', 'headerTimeout', 'keepAliveTimeout', 'sendTimeout', 'trustProxy', 'upstreamTimeout'];
const FUTURE_WARNINGS: Record<ExportTarget, string[]> = {
  compose: [...TRAFFIC_EVERYWHERE_BUT_FRONTS, 'inheritEnv', 'instances {min, max}', 'logMaxLine', 'maxInflight', 'queueLimit', 'queueTimeout'],
  k8s: [
    'accessLog', 'headerTimeout', 'inheritEnv', 'instances.min 0, coldStartTimeout', 'keepAliveTimeout', 'logMaxLine', 'maxConnsPerInstance, loadFactor',
    'maxInflight', 'queueLimit', 'queueTimeout', 'sendTimeout', 'trustProxy',
  ],
  systemd: [...TRAFFIC_EVERYWHERE_BUT_FRONTS, 'inheritEnv', 'instances {min, max}', 'logMaxLine', 'maxInflight', 'queueLimit', 'queueTimeout'],
  nginx: ['maxInflight', 'queueLimit', 'queueTimeout', 'trustProxy'],
  haproxy: ['trustProxy'],
};

describe.each(EXPORT_TARGETS)('export %s: the warnings name exactly the fields without an equivalent', (target) => {
  it('for the shop', () => expect(fieldsOf(RENDERERS[target](shopInput()).warnings)).toEqual(SHOP_WARNINGS[target]));

  it('for autoscaling, drain and the traffic fields', () => {
    const warnings = RENDERERS[target](future).warnings;
    expect(fieldsOf(warnings)).toEqual(FUTURE_WARNINGS[target].map((field) => `grow: ${field}`).sort());
  });
});

describe('export: autoscaling, drain, traffic fields and routes strip, from a services file', () => {
  it('k8s: instances {min, max} becomes an HPA, the Deployment leaves the count to it, drain lengthens the grace period', () => {
    const [manifests] = RENDERERS.k8s(future).files.map((file) => file.content.split(/^---$/m).map((text) => parse(text)));
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

  it('k8s: the Ingress of a routed service carries its connect and upstream timeouts; sendTimeout is a warning with the snippet', () => {
    const input = fileInput({ services: [{ name: 'api', script: 'main.py', port: 9000, connectTimeout: '2s', upstreamTimeout: '1500ms', sendTimeout: '20s' }], routes: { port: 9001, paths: { '/': 'api' } } });
    const output = RENDERERS.k8s(input);
    const ingress = parse(output.files[0]!.content.split(/^---$/m).at(-1)!);
    expect(ingress.metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/proxy-connect-timeout': '2', 'nginx.ingress.kubernetes.io/proxy-read-timeout': '2' });
    expect(output.warnings.find((warning) => warning.startsWith('api: sendTimeout:'))).toContain('`send_timeout 20s;`');
  });

  it('nginx: every instance up to max gets a server; timeouts, send_timeout and access log are set', () => {
    const nginx = RENDERERS.nginx(future).files[0]!.content;
    expect(nginx.match(/server 127\.0\.0\.1:91\d\d max_conns=3;/g)).toEqual([
      'server 127.0.0.1:9100 max_conns=3;', 'server 127.0.0.1:9101 max_conns=3;', 'server 127.0.0.1:9102 max_conns=3;', 'server 127.0.0.1:9103 max_conns=3;',
    ]);
    expect(nginx).toContain('client_header_timeout 5s;');
    expect(nginx).toContain('keepalive_timeout 4s;');
    expect(nginx).toMatch(/proxy_connect_timeout 2s;\n\s+proxy_read_timeout 30s;\n\s+send_timeout 20s;/);
    expect(nginx).not.toContain('access_log off;');
  });

  it('haproxy: client, server and queue timeouts where HAProxy takes them, queueLimit as a 503 past N waiting', () => {
    const haproxy = RENDERERS.haproxy(future).files[0]!.content;
    const frontend = haproxy.slice(haproxy.indexOf('frontend grow'), haproxy.indexOf('backend grow'));
    const backend = haproxy.slice(haproxy.indexOf('backend grow'));
    expect(frontend).toContain('    timeout http-request 5s\n');
    expect(frontend).toContain('    timeout http-keep-alive 4s\n');
    expect(frontend).toContain('    timeout client 20s\n');
    expect(frontend).toContain('    option httplog\n');
    expect(backend).toContain('    timeout connect 2s\n    timeout server 30s\n    timeout queue 15s\n');
    expect(backend).toContain('    http-request return status 503 content-type text/plain string "every instance is busy and the queue is full" hdr retry-after 1 if { queue() ge 8 }\n');
    expect(backend.match(/server grow-\d .* maxconn 3/g)).toHaveLength(4);
    // apictl's defaults, as HAProxy's: a client that stops reading goes after 30 s.
    expect(haproxy).toContain('defaults\n    mode http\n    log global\n    timeout connect 5s\n    timeout client 30s\n    timeout server 60s\n');
  });

  it('haproxy: queueLimit 0 refuses once no server has a free slot; without maxInflight nothing queues, so no rule', () => {
    const backendOf = (service: Record<string, unknown>) => {
      const text = RENDERERS.haproxy(fileInput({ services: [{ name: 'q', script: 'main.py', port: 9000, instances: 2, ...service }] })).files[0]!.content;
      return text.slice(text.indexOf('backend q'));
    };
    expect(backendOf({ maxInflight: 2, queueLimit: 0 })).toContain('if { be_conn_free() le 0 }\n');
    expect(backendOf({ queueLimit: 5, queueTimeout: '2s' })).not.toContain('http-request return');
    expect(backendOf({ queueLimit: 5, queueTimeout: '2s' })).toContain('    timeout queue 2s\n');
  });

  it('haproxy: a routes frontend takes the longest sendTimeout of its services, and names those it lengthens', () => {
    const input = fileInput({
      services: [
        { name: 'a', script: 'main.py', port: 9000, sendTimeout: '10s' },
        { name: 'b', script: 'main.py', port: 9002 },
        { name: 'c', script: 'main.py', port: 9003, sendTimeout: '45s' },
      ],
      routes: { port: 9001, paths: { '/a': 'a', '/b': 'b', '/c': 'c' } },
    });
    const output = RENDERERS.haproxy(input);
    expect(output.files[0]!.content).toMatch(/frontend routes_9001\n {4}bind 127\.0\.0\.1:9001\n {4}option dontlog-normal\n {4}timeout client 45s\n/);
    expect(output.warnings.filter((warning) => warning.startsWith('routes'))).toEqual([
      "routes (port 9001): sendTimeout: HAProxy has one client timeout per frontend: routes_9001 drops a client that stops reading after 45s, the longest of its services', also for a (10s), b (30s); give them one sendTimeout, or their own port",
    ]);
    const same = fileInput({ services: [{ name: 'a', script: 'main.py', port: 9000, sendTimeout: '30s' }, { name: 'b', script: 'main.py', port: 9002 }], routes: { port: 9001, paths: { '/a': 'a', '/b': 'b' } } });
    expect(RENDERERS.haproxy(same).warnings).toEqual([]);
  });

  it('a routes table that strips its prefix: nginx replaces it with "/", haproxy sets the path, k8s warns', () => {
    const input = inputOf([definitionOf({ name: 'api' })], [{ port: 9001, paths: { '/v1': 'api' }, strip: true }]);
    const nginx = RENDERERS.nginx(input).files[0]!.content;
    expect(nginx).toMatch(/location = \/v1 \{\n\s+proxy_pass http:\/\/api\/;/);
    expect(nginx).toMatch(/location \/v1\/ \{\n\s+proxy_pass http:\/\/api\/;/);
    expect(RENDERERS.haproxy(input).files[0]!.content).toContain('http-request set-path %[path,regsub(^/v1/?,/)] if { var(txn.route) -m str 0 }');
    expect(fieldsOf(RENDERERS.k8s(input).warnings)).toEqual(['routes (port 9001): routes strip']);
    expect(RENDERERS.nginx(inputOf([definitionOf({ name: 'api' })], [{ port: 9001, paths: { '/v1': 'api' } }])).files[0]!.content).toContain('proxy_pass http://api;');
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

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chooseBackend } from '../../src/balancer/choose-backend.js';
import { buildUpstreamHeaders } from '../../src/balancer/forwarded-headers.js';
import { connectionTokens, endToEndRawHeaders } from '../../src/balancer/hop-by-hop.js';
import { createTrustCheck, parseTrustEntry, plainAddress } from '../../src/balancer/trust-proxy.js';
import { matchRoute, stripPrefix } from '../../src/balancer/routes.js';
import { formatAccessLine } from '../../src/balancer/access-log.js';
import { WaitQueue } from '../../src/balancer/wait-queue.js';
import { LATENCY_BOUNDS_SECONDS, bucketOf, quantileOf, BUCKET_COUNT } from '../../src/metrics/latency-buckets.js';
import { RequestStats, WINDOW_SLOT_MS, classIndexOf, summarizeStats } from '../../src/metrics/request-stats.js';
import { ServiceRequests } from '../../src/metrics/service-requests.js';
import { metricsPortFrom } from '../../src/metrics/metrics-server.js';

const pairs = (flat: string[]) => Array.from({ length: flat.length / 2 }, (_, index) => [flat[index * 2]!.toLowerCase(), flat[index * 2 + 1]!]);
const header = (flat: string[], name: string) => pairs(flat).filter(([key]) => key === name).map(([, value]) => value);

describe('chooseBackend', () => {
  const at = (inflight: number[], extra: Array<{ downUntil?: number }> = []) =>
    inflight.map((count, index) => ({ index, port: 1000 + index, inflight: count, ...extra[index] }));
  it.each([
    // inflight per backend, limit, sticky, cursor, now → chosen index (null: all full)
    [[2, 0, 0], Infinity, null, 0, 0, 1],
    [[2, 0, 0], Infinity, null, 2, 0, 2],
    [[1, 1], 1, null, 0, 0, null],
    [[1, 0], 1, null, 0, 0, 1],
    [[3, 0], Infinity, 0, 0, 0, 0],
    [[1, 0], 1, 0, 0, 0, 1],
    [[], Infinity, null, 0, 0, null],
  ] as const)('inflight %j limit %s sticky %s cursor %s → %s', (inflight, limit, sticky, cursor, now, expected) => {
    expect(chooseBackend(at([...inflight]), { limit, stickyIndex: sticky, cursor, now })?.index ?? null).toBe(expected);
  });

  it('puts a backend whose connection just failed last, until its time is up', () => {
    const backends = at([0, 5], [{ downUntil: 2_000 }]);
    expect(chooseBackend(backends, { limit: Infinity, stickyIndex: null, cursor: 0, now: 1_000 })?.index).toBe(1);
    expect(chooseBackend(backends, { limit: Infinity, stickyIndex: null, cursor: 0, now: 3_000 })?.index).toBe(0);
    expect(chooseBackend([backends[0]!], { limit: Infinity, stickyIndex: null, cursor: 0, now: 1_000 })?.index).toBe(0);
  });
});

describe('buildUpstreamHeaders', () => {
  const newId = () => 'generated-id';
  const client = { address: '10.0.0.9', trusted: false };

  it('drops what an untrusted client says about its address and adds what the proxy knows', () => {
    const raw = ['Host', 'api.example', 'X-Forwarded-For', '6.6.6.6', 'X-Real-IP', '6.6.6.6', 'Forwarded', 'for=6.6.6.6', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'evil', 'Accept', '*/*'];
    const { headers, requestId } = buildUpstreamHeaders(raw, client, newId);
    expect(requestId).toBe('generated-id');
    expect(pairs(headers)).toEqual([
      ['host', 'api.example'], ['accept', '*/*'],
      ['x-forwarded-for', '10.0.0.9'], ['x-forwarded-proto', 'http'], ['x-request-id', 'generated-id'], ['x-forwarded-host', 'api.example'],
    ]);
  });

  it('tells whether a body follows', () => {
    expect(buildUpstreamHeaders(['Content-Length', '0'], client, newId).hasBody).toBe(false);
    expect(buildUpstreamHeaders(['Content-Length', '12'], client, newId).hasBody).toBe(true);
    expect(buildUpstreamHeaders(['Transfer-Encoding', 'chunked'], client, newId).hasBody).toBe(true);
    expect(buildUpstreamHeaders([], client, newId).hasBody).toBe(false);
  });

  it('appends to what a trusted proxy sent', () => {
    const raw = ['Host', 'internal', 'X-Forwarded-For', '1.1.1.1', 'x-forwarded-for', '2.2.2.2', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'api.example', 'X-Real-IP', '1.1.1.1'];
    const { headers } = buildUpstreamHeaders(raw, { address: '127.0.0.1', trusted: true }, newId);
    expect(header(headers, 'x-forwarded-for')).toEqual(['1.1.1.1, 2.2.2.2, 127.0.0.1']);
    expect(header(headers, 'x-forwarded-proto')).toEqual(['https']);
    expect(header(headers, 'x-forwarded-host')).toEqual(['api.example']);
    expect(header(headers, 'x-real-ip')).toEqual(['1.1.1.1']);
  });

  it.each([
    ['abc-123', 'abc-123'],
    ['has space', 'generated-id'],
    ['x'.repeat(201), 'generated-id'],
  ])('keeps a sensible X-Request-Id: %j → %j', (given, kept) => {
    const { headers, requestId } = buildUpstreamHeaders(['X-Request-Id', given], client, newId);
    expect(requestId).toBe(kept);
    expect(header(headers, 'x-request-id')).toEqual([kept]);
  });

  it('drops hop-by-hop headers and every header Connection names', () => {
    const raw = [
      'Connection', 'keep-alive, X-Secret-Hop', 'Keep-Alive', 'timeout=5', 'TE', 'trailers', 'Trailer', 'x', 'Transfer-Encoding', 'chunked',
      'Upgrade', 'h2c', 'Proxy-Authorization', 'Basic x', 'Proxy-Connection', 'keep-alive', 'X-Secret-Hop', '1', 'Expect', '100-continue', 'X-Kept', 'yes',
    ];
    const names = pairs(buildUpstreamHeaders(raw, client, newId).headers).map(([name]) => name);
    expect(names).toEqual(['x-kept', 'x-forwarded-for', 'x-forwarded-proto', 'x-request-id']);
  });
});

describe('hop-by-hop on answers', () => {
  const raw = (...lines: string[]) => lines.map((line) => Buffer.from(line, 'latin1'));
  it('drops them from raw upstream headers, keeping repeated ones', () => {
    const answer = raw('Connection', 'close, X-Drop', 'X-Drop', '1', 'Proxy-Authenticate', 'Basic', 'Trailer', 'x', 'Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2');
    expect(endToEndRawHeaders(answer)).toEqual({ headers: ['content-type', 'text/plain', 'set-cookie', 'a=1', 'set-cookie', 'b=2'], hasRequestId: false });
    expect(endToEndRawHeaders(raw('Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'X-Request-Id', 'abc'))).toEqual({ headers: ['x-request-id', 'abc'], hasRequestId: true });
  });
  it('reads Connection tokens from one or several headers', () => {
    expect([...connectionTokens(['Keep-Alive, Foo', ' bar '])!]).toEqual(['keep-alive', 'foo', 'bar']);
    expect(connectionTokens(undefined)).toBeNull();
    expect(connectionTokens('keep-alive')).toBeNull();
  });
});

describe('trustProxy', () => {
  it.each([
    ['10.0.0.0/8', true], ['127.0.0.1', true], ['::1', true], ['fd00::/8', true], ['loopback', true],
    ['10.0.0.0/33', false], ['10.0.0', false], ['nope', false], ['1.2.3.4/8/9', false], ['::1/129', false], ['10.0.0.0/x', false],
  ])('%s is valid: %s', (entry, valid) => expect(parseTrustEntry(entry) !== null).toBe(valid));

  it('checks addresses against the list, IPv4-mapped ones as IPv4', () => {
    const trusted = createTrustCheck(['10.0.0.0/8', 'loopback']);
    expect(trusted(plainAddress('::ffff:10.2.3.4'))).toBe(true);
    expect(trusted('127.0.0.1')).toBe(true);
    expect(trusted('::1')).toBe(true);
    expect(trusted('11.0.0.1')).toBe(false);
    expect(createTrustCheck([])('127.0.0.1')).toBe(false);
  });
});

describe('routes', () => {
  const paths = { '/api': 'api', '/api/admin/': 'admin', '/': 'web' };
  it.each([
    ['/api', 'api', '/api'], ['/api/users?x=1', 'api', '/api'], ['/apiary', 'web', '/'], ['/api/admin', 'admin', '/api/admin'],
    ['/api/admin/x', 'admin', '/api/admin'], ['/', 'web', '/'], ['/x', 'web', '/'], ['/api?x=/api/admin', 'api', '/api'],
  ])('%s → %s (prefix %s)', (url, service, prefix) => expect(matchRoute(paths, url)).toEqual({ service, prefix }));
  it('answers null when nothing matches', () => expect(matchRoute({ '/api': 'api' }, '/other')).toBeNull());
  it.each([
    ['/api/users?x=1', '/api', '/users?x=1'], ['/api', '/api', '/'], ['/api?x=1', '/api', '/?x=1'], ['/x/y', '/', '/x/y'],
  ])('strip %s of %s → %s', (url, prefix, stripped) => expect(stripPrefix(url, prefix)).toBe(stripped));
});

describe('latency buckets', () => {
  it('has sorted bounds ending at 60 s', () => {
    expect([...LATENCY_BOUNDS_SECONDS].sort((a, b) => a - b)).toEqual(LATENCY_BOUNDS_SECONDS);
    expect(LATENCY_BOUNDS_SECONDS.at(-1)).toBe(60);
  });
  it.each([[0, 0], [0.0001, 0], [0.00011, 1], [0.005, LATENCY_BOUNDS_SECONDS.indexOf(0.005)], [61, LATENCY_BOUNDS_SECONDS.length]])(
    'bucketOf(%s) → %s',
    (seconds, bucket) => expect(bucketOf(seconds)).toBe(bucket),
  );
  it('reads quantiles by interpolating inside a bucket', () => {
    const counts = new Float64Array(BUCKET_COUNT);
    counts[bucketOf(0.004)] = 90; // (0.003, 0.005]
    counts[bucketOf(0.2)] = 10; // (0.15, 0.2]
    expect(quantileOf(counts, 0.5)).toBeCloseTo(0.003 + 0.002 * (50 / 90), 9);
    expect(quantileOf(counts, 0.95)).toBeCloseTo(0.15 + 0.05 * 0.5, 9);
    expect(quantileOf(new Float64Array(BUCKET_COUNT), 0.5)).toBeNull();
  });
});

describe('request stats', () => {
  it.each([[200, 1], [204, 1], [302, 2], [404, 3], [503, 4], [101, 0], [0, 4], [999, 4]])('status %s → class %s', (status, index) => expect(classIndexOf(status)).toBe(index));

  it('counts by class and forgets latencies older than a minute', () => {
    const stats = new RequestStats();
    const start = 1_000 * WINDOW_SLOT_MS;
    for (let index = 0; index < 8; index++) stats.record(200, 0.004, start);
    stats.record(404, 0.001, start);
    stats.record(500, 0.2, start);
    let figures = summarizeStats([stats], start + 1);
    expect(figures.total).toBe(10);
    expect(figures.byClass).toEqual({ '1xx': 0, '2xx': 8, '3xx': 0, '4xx': 1, '5xx': 1 });
    expect(figures.p50Ms).toBeGreaterThan(3);
    expect(figures.p50Ms).toBeLessThanOrEqual(5);
    expect(figures.p99Ms).toBeGreaterThan(150);
    expect(figures.perSecond).toBeCloseTo(10 / 5, 1);
    figures = summarizeStats([stats], start + 60_000);
    expect(figures.total).toBe(10);
    expect(figures.p50Ms).toBeNull();
    expect(figures.perSecond).toBe(0);
  });

  it('keeps one set of counters per instance and route, summed for the service', () => {
    const requests = new ServiceRequests();
    requests.statsFor(0, '').record(200, 0.01, 0);
    requests.statsFor(1, '/api').record(200, 0.01, 0);
    requests.statsFor(1, '/api').record(500, 0.01, 0);
    expect(requests.statsFor(1, '/api')).toBe(requests.statsFor(1, '/api'));
    const figures = requests.figures(1);
    expect(figures.total).toBe(3);
    expect(Object.keys(figures.byRoute)).toEqual(['/api']);
    expect(figures.byRoute['/api']!.byClass['5xx']).toBe(1);
    expect(requests.instanceFigures(0, 1).total).toBe(1);
  });
});

describe('WaitQueue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const item = (name: string) => ({ name, queueDeadline: 0, queueSlot: -1 });

  it('hands entries out in order, skips cancelled ones and expires the rest after the timeout', () => {
    const expired: string[] = [];
    const queue = new WaitQueue<ReturnType<typeof item>>(1_000, (entry) => expired.push(entry.name));
    const [a, b, c] = [item('a'), item('b'), item('c')];
    queue.push(a, performance.now());
    queue.push(b, performance.now());
    queue.push(c, performance.now());
    queue.cancel(a);
    expect(queue.size).toBe(2);
    expect(queue.shift()?.name).toBe('b');
    vi.advanceTimersByTime(999);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(2);
    expect(expired).toEqual(['c']);
    expect(queue.size).toBe(0);
    expect(queue.shift()).toBeNull();
  });
});

describe('AccessLog batching', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  it('hands lines to the sink per instance, in one block within the flush interval', async () => {
    const { AccessLog, ACCESS_LOG_FLUSH_MS } = await import('../../src/balancer/access-log.js');
    const written: Array<[number, string]> = [];
    const log = new AccessLog((instance, lines) => written.push([instance, lines]));
    const record = { method: 'GET', path: '/', status: 200, durationMs: 1, requestId: 'r' };
    log.add({ ...record, instance: 0 });
    log.add({ ...record, instance: 1 });
    log.add({ ...record, instance: 0 });
    expect(written).toEqual([]);
    vi.advanceTimersByTime(ACCESS_LOG_FLUSH_MS);
    expect(written.map(([instance, lines]) => [instance, lines.split('\n').length - 1])).toEqual([[0, 2], [1, 1]]);
  });
});

describe('access log and metrics port', () => {
  it('formats one line per request', () => {
    expect(formatAccessLine({ method: 'GET', path: '/x?y=1', status: 200, durationMs: 4.315, instance: 1, requestId: 'id-1' })).toBe('GET /x?y=1 200 4.32ms instance=1 id=id-1\n');
    expect(formatAccessLine({ method: 'POST', path: '/', status: 503, durationMs: 0.1, instance: -1, requestId: 'id-2' })).toBe('POST / 503 0.10ms instance=- id=id-2\n');
  });
  it.each([['9464', 9464], ['', null], [undefined, null], ['0', null], ['70000', null], ['x', null]])('APICTL_METRICS_PORT=%j → %j', (value, port) =>
    expect(metricsPortFrom({ APICTL_METRICS_PORT: value })).toBe(port),
  );
});

describe('the strict exposition check the metrics tests use', async () => {
  const { parseStrictExposition } = await import('../helpers/exposition.js');
  const good = '# HELP apictl_x_total X.\n# TYPE apictl_x_total counter\napictl_x_total{a="1"} 2\n';
  it('accepts a well-formed family', () => expect(parseStrictExposition(good)[0]!.name).toBe('apictl_x_total'));
  it.each([
    ['# TYPE apictl_x_total counter\napictl_x_total{a="1} 2\n', 'not a sample line'],
    ['# TYPE apictl_x_total counter\napictl_x_total 1 2 3\n', 'not a sample line'],
    ['# TYPE apictl_x_total counter\napictl_x_total abc\n', 'not a sample line'],
    ['apictl_y 1\n', 'sample before its TYPE'],
    ['# TYPE apictl_requests counter\n', 'must end in _total'],
    ['# TYPE apictl_latency histogram\n', 'base unit'],
    ['# TYPE apictl_x_total counter\napictl_x_total 1\napictl_x_total 1\n', 'twice'],
    ['# TYPE apictl_h_seconds histogram\napictl_h_seconds_bucket{le="1"} 2\napictl_h_seconds_bucket{le="+Inf"} 1\napictl_h_seconds_count 1\napictl_h_seconds_sum 1\n', 'cumulative'],
  ])('refuses %j', (text, why) => expect(() => parseStrictExposition(text)).toThrow(why));
});

describe('traffic fields in a services file', async () => {
  const { validateServicesFile } = await import('../../src/config/validate.js');
  const probe = { isFile: (path: string) => path === '/srv/app.js', which: () => null };
  const validate = (extra: Record<string, unknown>, routes?: unknown) =>
    validateServicesFile({ services: [{ name: 'api', script: 'app.js', ...extra }], ...(routes ? { routes } : {}) }, '/srv', probe);

  it('turns durations into ms and keeps the rest', () => {
    const result = validate({
      drainTimeout: '2s', accessLog: true, trustProxy: ['10.0.0.0/8', 'loopback'], headerTimeout: '1s', keepAliveTimeout: 500,
      connectTimeout: '250ms', upstreamTimeout: '1m', sendTimeout: '30s', queueTimeout: '5s', queueLimit: 100,
    });
    expect(result).toMatchObject({
      ok: true,
      drafts: [{
        drainTimeoutMs: 2000, accessLog: true, trustProxy: ['10.0.0.0/8', 'loopback'], headerTimeoutMs: 1000, keepAliveTimeoutMs: 500,
        connectTimeoutMs: 250, upstreamTimeoutMs: 60_000, sendTimeoutMs: 30_000, queueTimeoutMs: 5000, queueLimit: 100,
      }],
    });
    expect(validate({ trustProxy: '127.0.0.1' })).toMatchObject({ ok: true, drafts: [{ trustProxy: ['127.0.0.1'] }] });
  });

  it.each([
    [{ drainTimeout: 'soon' }, 'services[0].drainTimeout: must be a duration like 30000 or "30s", got "soon"'],
    [{ accessLog: 'yes' }, 'services[0].accessLog: must be true or false, got "yes"'],
    [{ trustProxy: ['10.0.0.0/40'] }, 'services[0].trustProxy: must be an address or CIDR ("10.0.0.0/8", "::1", "loopback"), or an array of them, got ["10.0.0.0/40"]'],
    [{ headerTimeout: 10 }, 'services[0].headerTimeout: must be a duration of at least 100 ms, like "10s", got 10'],
    [{ queueLimit: -1 }, 'services[0].queueLimit: must be a whole number from 0 to 1000000, got -1'],
  ])('refuses %j', (extra, issue) => expect(validate(extra)).toEqual({ ok: false, issues: [issue] }));

  it('takes strip on routes, and refuses a non-boolean', () => {
    expect(validate({}, { port: 9000, paths: { '/api': 'api' }, strip: true })).toMatchObject({ ok: true, routes: { strip: true } });
    expect(validate({}, { port: 9000, paths: { '/api': 'api' }, strip: 'yes' })).toMatchObject({ ok: false });
  });
});

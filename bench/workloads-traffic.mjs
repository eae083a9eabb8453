// Issue 12's figures: the mixed-latency workload least-in-flight exists for
// (apictl default and maxInflight: 1 vs nginx round-robin and least_conn over
// the same two processes, and pm2 cluster with --vs pm2), and what request
// metrics, a Prometheus scrape and the access log cost the balancer.
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { httpOk, median, until } from './lib.mjs';
import { measureThroughput } from './load.mjs';
import { nginxAvailable, startNginxPair } from './nginx.mjs';

const MIXED = resolve(import.meta.dirname, 'fixtures/mixed-server.js');
const SERVER = resolve(import.meta.dirname, 'fixtures/server.js');
const fig = (metric, value, unit, better, note) => ({ metric, value: Math.round(value * 100) / 100, unit, better, ...(note ? { note } : {}) });

/** Small seeded PRNG: every engine gets the same sequence of fast and slow requests. */
function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 95 % of requests ~5 ms of CPU, 5 % block the worker ~200 ms, random per request. */
function mixedPaths(concurrency) {
  const generators = Array.from({ length: concurrency }, (_, index) => mulberry32(index + 1));
  return (client) => (generators[client]() < 0.05 ? '/?ms=200' : '/?ms=5');
}

const CONCURRENCY = 16;

async function measureMixed(port, seconds) {
  return measureThroughput(port, { concurrency: CONCURRENCY, seconds, warmupSeconds: 1, path: mixedPaths(CONCURRENCY) });
}

function mixedFigures(prefix, result, note) {
  return [
    fig(`${prefix}_rps`, result.rps, 'req/s', 'higher', note),
    fig(`${prefix}_p50_ms`, result.p50, 'ms', 'lower'),
    fig(`${prefix}_p99_ms`, result.p99, 'ms', 'lower'),
    fig(`${prefix}_errors`, result.failed, 'requests', 'lower', 'non-2xx answers and failed connections'),
  ];
}

/** One `metrics` call on the control socket, as a Prometheus scrape of the metrics port costs the daemon. */
function scrapeOnce(home) {
  return new Promise((resolvePromise) => {
    const socket = connect({ path: join(home, 'daemon.sock') });
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) socket.destroy();
    });
    socket.on('close', () => resolvePromise(text.length));
    socket.on('error', () => resolvePromise(0));
    socket.write(JSON.stringify({ id: 1, method: 'metrics', protocol: 1, params: {} }) + '\n');
  });
}

export const trafficWorkloads = {
  async mixed_latency(engine, quick) {
    const seconds = quick ? 5 : 10;
    const figures = [];
    const note = `${CONCURRENCY} clients, ${seconds}s, 2 single-threaded instances`;
    await engine.startFile([{ name: 'mixed', script: MIXED, port: 24900, instances: 2, extra: { instances: 2 } }]);
    await until('mixed to answer', () => httpOk(24900), 60_000, 20);
    figures.push(...mixedFigures('mixed', await measureMixed(24900, seconds), engine.name === 'pm2' ? `pm2 cluster; ${note}` : `apictl default; ${note}`));
    await engine.deleteAll();
    if (engine.name !== 'apictl') return figures;
    await engine.startFile([{ name: 'mixed1', script: MIXED, port: 24910, extra: { instances: 2, maxInflight: 1 } }]);
    await until('mixed1 to answer', () => httpOk(24910), 60_000, 20);
    figures.push(...mixedFigures('mixed_inflight1', await measureMixed(24910, seconds), 'apictl maxInflight: 1 (central queue)'));
    await engine.deleteAll();
    if (!nginxAvailable()) return [...figures, fig('mixed_nginx_rr_rps', NaN, 'req/s', 'higher', 'nginx not installed')];
    for (const [name, port, balance] of [['mixed_nginx_rr', 24920, ''], ['mixed_nginx_least_conn', 24930, 'least_conn']]) {
      const stop = await startNginxPair(MIXED, port, [port + 1, port + 2], { balance });
      try {
        figures.push(...mixedFigures(name, await measureMixed(port, seconds), `nginx ${balance || 'round-robin'} over 2 bare processes`));
      } finally {
        await stop();
      }
    }
    return figures;
  },

  /** Trivial handlers, rounds interleaved: plain balancer, with access log and a scrape a second, and nginx. */
  async balancer_features(engine, quick) {
    if (engine.name !== 'apictl') return [];
    const seconds = quick ? 2 : 4;
    const rounds = quick ? 2 : 3;
    await engine.startFile([
      { name: 'plain', script: SERVER, port: 24960, extra: { instances: 2 } },
      { name: 'logged', script: SERVER, port: 24970, extra: { instances: 2, accessLog: true } },
    ]);
    await until('both answer', async () => (await httpOk(24960)) && (await httpOk(24970)), 60_000, 20);
    const stop = nginxAvailable() ? await startNginxPair(SERVER, 24980, [24981, 24982]) : null;
    const plain = [];
    const logged = [];
    const viaNginx = [];
    try {
      for (let round = 0; round < rounds; round++) {
        plain.push((await measureThroughput(24960, { seconds })).rps);
        let scraping = true;
        const scraper = (async () => {
          while (scraping) {
            await scrapeOnce(engine.home);
            await new Promise((done) => setTimeout(done, 1_000));
          }
        })();
        logged.push((await measureThroughput(24970, { seconds })).rps);
        scraping = false;
        await scraper;
        if (stop) viaNginx.push((await measureThroughput(24980, { seconds })).rps);
      }
    } finally {
      await stop?.();
    }
    await engine.deleteAll();
    const figures = [
      fig('balancer_plain_rps', median(plain), 'req/s', 'higher', `2 trivial instances, median of ${rounds} interleaved rounds: ${plain.map(Math.round).join(', ')}`),
      fig('balancer_logged_scraped_rps', median(logged), 'req/s', 'higher', `accessLog on + a metrics scrape every second: ${logged.map(Math.round).join(', ')}`),
      fig('balancer_logged_vs_plain_ratio', median(logged) / median(plain), 'x', 'higher', 'target >= 0.95'),
    ];
    if (stop) {
      figures.push(fig('balancer_nginx_rps', median(viaNginx), 'req/s', 'higher', `nginx round-robin, same rounds: ${viaNginx.map(Math.round).join(', ')}`));
      figures.push(fig('balancer_vs_nginx_ratio', median(plain) / median(viaNginx), 'x', 'higher', 'target >= 0.8'));
    }
    return figures;
  },
};

// A small closed-loop HTTP load generator: `concurrency` keep-alive clients for `seconds`.
import { Agent, request } from 'node:http';

/**
 * `warmupSeconds` of the same load run first and are not counted, for every
 * target alike (apictl, pm2, nginx, a bare server): a JavaScript proxy or
 * server that has not served yet runs cold code at first. Only a 200 counts
 * as served: anything else (a fast 503) is `failed`. `path(client)` gives
 * each request's path (default "/").
 */
export async function measureThroughput(port, { concurrency = 16, seconds = 3, warmupSeconds = 1, path = () => '/' } = {}) {
  if (warmupSeconds > 0) await measureThroughput(port, { concurrency, seconds: warmupSeconds, warmupSeconds: 0, path });
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const deadline = Date.now() + seconds * 1000;
  let ok = 0;
  let failed = 0;
  const latencies = [];
  const client = async (_, index) => {
    while (Date.now() < deadline) {
      const started = performance.now();
      const success = await new Promise((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: path(index), agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200));
        });
        req.on('error', () => resolve(false));
        req.end();
      });
      if (success) {
        ok++;
        latencies.push(performance.now() - started);
      } else failed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { rps: ok / seconds, failed, p50: latencies[Math.floor(latencies.length / 2)] ?? 0, p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0 };
}

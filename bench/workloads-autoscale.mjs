// Issue 13's figures: what a cold start (scale to zero) adds over a bare
// spawn-to-first-answer, and how fast the count follows a load step from 1 to
// 12 concurrent slow requests. apictl only (pm2 does not autoscale). Ports 25400-25599.
import { request } from 'node:http';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { bareSpawnToAnswerMs, median, percentile, until } from './lib.mjs';

const SERVER = resolve(import.meta.dirname, 'fixtures/server.js');
const SLOW = resolve(import.meta.dirname, '../test/fixtures/slow-server.js');
const fig = (metric, value, unit, better, note) => ({ metric, value: Math.round(value * 100) / 100, unit, better, ...(note ? { note } : {}) });

/** One `list` over the control socket (a CLI call would cost ~200 ms of Node start-up per poll). */
function listOverSocket(home) {
  return new Promise((resolvePromise, reject) => {
    const socket = connect({ path: join(home, 'daemon.sock') });
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk;
      const end = text.indexOf('\n');
      if (end < 0) return;
      socket.destroy();
      const message = JSON.parse(text.slice(0, end));
      if (message.ok) resolvePromise(message.result);
      else reject(new Error(message.error.message));
    });
    socket.on('error', reject);
    socket.write(JSON.stringify({ id: 1, method: 'list', protocol: 2, params: {} }) + '\n');
  });
}

async function scaleOf(home, name) {
  const services = await listOverSocket(home);
  return services.find((service) => service.name === name)?.autoscale ?? null;
}

/** GET path, resolves with the status (0 on a failed connection). */
function get(port, path, timeoutMs = 30_000) {
  return new Promise((resolvePromise) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolvePromise(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolvePromise(0));
    req.end();
  });
}

export const autoscaleWorkloads = {
  /** min 0: a request to a service with no process → its answer, against spawning the same server by hand and polling it every 1 ms. */
  async cold_start(engine, quick) {
    if (engine.name !== 'apictl') return [];
    const port = 25400;
    await engine.startFile([{ name: 'cold', script: SERVER, port, extra: { instances: { min: 0, max: 1 }, idleTimeout: 200 } }]);
    const samples = quick ? 5 : 10;
    const cold = [];
    const bare = [];
    // Cold and bare samples alternate, so both see the same machine load.
    for (let index = 0; index < samples; index++) {
      await until('cold to be at zero', async () => (await scaleOf(engine.home, 'cold'))?.current === 0, 30_000, 20);
      await delay(300);
      const started = performance.now();
      const status = await get(port, '/');
      if (status !== 200) throw new Error(`cold start answered ${status}`);
      cold.push(performance.now() - started);
      await delay(300);
      bare.push(await bareSpawnToAnswerMs(SERVER, port + 1));
    }
    const scale = await scaleOf(engine.home, 'cold');
    await engine.deleteAll();
    return [
      fig('cold_start_to_answer_median_ms', median(cold), 'ms', 'lower', `min 0: request → answer, ${samples} samples`),
      fig('cold_start_to_answer_p90_ms', percentile(cold, 90), 'ms', 'lower'),
      fig('cold_bare_spawn_to_answer_median_ms', median(bare), 'ms', 'lower', 'baseline: spawn node server.js, poll every 1 ms'),
      fig('cold_start_overhead_ms', median(cold) - median(bare), 'ms', 'lower', 'cold median minus bare median (target <= 20 ms)'),
      fig('cold_start_daemon_measured_ms', scale.coldStarts.totalMs / Math.max(1, scale.coldStarts.count), 'ms', 'lower', 'decision → ready, as show/metrics report it'),
    ];
  },

  /** 1 → 12 closed-loop clients on /slow (1 s each), threshold 3 per instance: the count should go 1 → 4. */
  async scale_step(engine, quick) {
    if (engine.name !== 'apictl') return [];
    const port = 25500;
    const rounds = quick ? 1 : 3;
    await engine.startFile([{
      name: 'step', script: SLOW, port,
      extra: { instances: { min: 1, max: 6 }, maxConnsPerInstance: 6, loadFactor: 0.5, idleTimeout: '2s' },
    }]);
    const reach = [];
    const settle = [];
    const back = [];
    let failed = 0;
    let answered = 0;
    for (let round = 0; round < rounds; round++) {
      await until('step to be back at 1', async () => {
        const scale = await scaleOf(engine.home, 'step');
        return scale?.current === 1 && scale.ready === 1;
      }, 60_000, 50);
      let loading = true;
      const client = async () => {
        while (loading) {
          const status = await get(port, '/slow');
          if (status === 200) answered++;
          else failed++;
        }
      };
      // One client for a second, then twelve.
      const one = client();
      await delay(1_000);
      const started = performance.now();
      const clients = [one, ...Array.from({ length: 11 }, client)];
      await until('count 4 and ready', async () => {
        const scale = await scaleOf(engine.home, 'step');
        return scale.current >= 4 && scale.ready >= 4;
      }, 60_000, 10);
      reach.push(performance.now() - started);
      // Held 3 s more: it must stay at 4 (12 / 4 = 3 is not above 3).
      await delay(3_000);
      settle.push((await scaleOf(engine.home, 'step')).current);
      loading = false;
      await Promise.all(clients);
      const stopped = performance.now();
      await until('step back at 1', async () => (await scaleOf(engine.home, 'step')).current === 1, 60_000, 20);
      back.push(performance.now() - stopped);
    }
    await engine.deleteAll();
    return [
      fig('scale_step_1_to_4_ms', median(reach), 'ms', 'lower', `12 clients on a 1 s endpoint, threshold 0.5 × 6: 12 clients start → 4 instances ready, median of ${rounds}: ${reach.map(Math.round).join(', ')}`),
      fig('scale_step_count_after_3s', Math.max(...settle), 'instances', 'lower', 'still 4 (no overshoot)'),
      fig('scale_step_back_to_1_ms', median(back), 'ms', 'lower', `load ends → 1 instance (idleTimeout 2s + drain): ${back.map(Math.round).join(', ')}`),
      fig('scale_step_failed_requests', failed, 'requests', 'lower', `of ${answered + failed}`),
    ];
  },
};

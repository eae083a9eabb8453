// Each workload runs against an engine (apictl or pm2) and returns figures:
// {metric, value, unit, better: 'lower'|'higher', note?}. Ports 24000-26999.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { bareSpawnToAnswerMs, cpuDuring, httpOk, isAlive, median, percentile, rssBytes, run, until } from './lib.mjs';
import { measureThroughput } from './load.mjs';
import { nginxAvailable, startNginxPair } from './nginx.mjs';

const SERVER = resolve(import.meta.dirname, 'fixtures/server.js');
const WRITER = resolve(import.meta.dirname, 'fixtures/writer.js');
const CRASH = resolve(import.meta.dirname, '../test/fixtures/crash.js');

/** How long a daemon is left alone before its memory is read: the same for every engine. */
const IDLE_MS = (quick) => (quick ? 5_000 : 15_000);
const services = (count, base, extra = {}) =>
  Array.from({ length: count }, (_, index) => ({ name: `svc${index}`, script: SERVER, port: base + index, extra }));

async function allAnswer(ports, timeoutMs = 120_000) {
  await until(`ports ${ports[0]}..${ports.at(-1)} to answer`, async () => (await Promise.all(ports.map((port) => httpOk(port)))).every(Boolean), timeoutMs, 20);
}

async function daemonUp(engine) {
  await engine.list();
  return until('daemon pid', () => engine.daemonPid(), 10_000, 10);
}

const fig = (metric, value, unit, better, note) => ({ metric, value: Math.round(value * 100) / 100, unit, better, ...(note ? { note } : {}) });

export const workloads = {
  async cli_latency(engine, quick) {
    const count = 10;
    await engine.startFile(services(count, 24000));
    await allAnswer(services(count, 24000).map((s) => s.port));
    const samples = quick ? 7 : 15;
    const cli = [];
    const bare = [];
    for (let index = 0; index < samples; index++) {
      cli.push((await engine.cli(engine.listArgs)).ms);
      bare.push((await run(process.execPath, ['-e', '0'])).ms);
    }
    await engine.deleteAll();
    return [
      fig('cli_list_median_ms', median(cli), 'ms', 'lower', `list with ${count} services, ${samples} runs`),
      fig('cli_list_p90_ms', percentile(cli, 90), 'ms', 'lower'),
      fig('node_e0_median_ms', median(bare), 'ms', 'lower', 'baseline: node -e 0'),
      fig('cli_overhead_ms', median(cli) - median(bare), 'ms', 'lower', 'list --json median minus node -e 0 (target: within 15 ms)'),
    ];
  },

  async daemon_memory(engine, quick) {
    // The floor: what Node itself holds doing nothing, measured in the same run.
    const floor = await nodeIdleFloorBytes();
    const figures = [fig('node_idle_floor_rss_mb', floor / 1048576, 'MB', 'lower', 'floor: node -e "setInterval(()=>{},1e3)" after 2 s')];
    const daemon = await daemonUp(engine);
    for (const count of quick ? [0, 10] : [0, 10, 50]) {
      if (count > 0) {
        await engine.startFile(services(count, 24100));
        await allAnswer(services(count, 24100).map((s) => s.port));
      }
      await delay(2_000);
      const early = rssBytes(daemon);
      // Idle: what the daemon holds once start-up garbage is collected (V8 gives pages back on its own, within ~10 s).
      await delay(IDLE_MS(quick) - 2_000);
      const rows = await engine.list();
      const childRss = rows.flatMap((row) => row.pids).reduce((sum, pid) => sum + rssBytes(pid), 0);
      const rss = rssBytes(daemon);
      figures.push(fig(`daemon_rss_${count}_mb`, rss / 1048576, 'MB', 'lower', `daemon with ${count} idle services, ${IDLE_MS(quick) / 1000} s after the start (target ≤ 0.85× pm2)`));
      figures.push(fig(`daemon_rss_${count}_at_2s_mb`, early / 1048576, 'MB', 'lower', '2 s after the start'));
      figures.push(fig(`daemon_rss_${count}_above_floor_mb`, (rss - floor) / 1048576, 'MB', 'lower', "daemon minus Node's idle floor"));
      if (count > 0) {
        figures.push(fig(`total_rss_${count}_mb`, (rss + childRss) / 1048576, 'MB', 'lower', 'daemon + children'));
        figures.push(fig(`child_rss_avg_${count}_mb`, childRss / count / 1048576, 'MB', 'lower', 'per child (pm2 injects an agent into Node children)'));
        await engine.deleteAll();
      }
    }
    return figures;
  },

  async daemon_cpu_idle(engine, quick) {
    const count = quick ? 10 : 50;
    await engine.startFile(services(count, 24200));
    await allAnswer(services(count, 24200).map((s) => s.port));
    const daemon = await daemonUp(engine);
    const seconds = quick ? 5 : 20;
    const { percent } = await cpuDuring(daemon, () => delay(seconds * 1000));
    await engine.deleteAll();
    return [fig(`daemon_cpu_idle_${count}_pct`, percent, '% core', 'lower', `${count} idle services over ${seconds}s`)];
  },

  async restart_latency(engine, quick) {
    const port = 24300;
    // restartDelay 0: every restart immediate, as pm2's default (no backoff) does.
    await engine.startFile([{ name: 'victim', script: SERVER, port, extra: { restartDelay: 0, maxRestarts: 1000 } }]);
    await allAnswer([port]);
    const samples = quick ? 5 : 10;
    const restart = [];
    const bare = [];
    // Restart and bare-spawn samples alternate, so both see the same machine load.
    for (let index = 0; index < samples; index++) {
      const [row] = await engine.list();
      const pid = row.pids[0];
      process.kill(pid, 'SIGKILL');
      const started = performance.now();
      await until('old pid to die', () => !isAlive(pid), 5_000, 1);
      await until('new process to answer', () => httpOk(port, 200), 30_000, 1);
      restart.push(performance.now() - started);
      await delay(300);
      bare.push(await bareSpawnToAnswerMs(SERVER, port + 1));
      await delay(300);
    }
    await engine.deleteAll();
    return [
      fig('restart_to_http_median_ms', median(restart), 'ms', 'lower', `SIGKILL → new pid answers, ${samples} samples`),
      fig('restart_to_http_p90_ms', percentile(restart, 90), 'ms', 'lower'),
      fig('bare_spawn_to_http_median_ms', median(bare), 'ms', 'lower', 'baseline: spawn node server.js → answers'),
      fig('restart_overhead_ms', median(restart) - median(bare), 'ms', 'lower', 'restart median minus bare spawn'),
    ];
  },

  async start_many(engine, quick) {
    const count = quick ? 20 : 50;
    const list = services(count, 24400);
    const started = performance.now();
    await engine.startFile(list);
    await allAnswer(list.map((s) => s.port));
    const ms = performance.now() - started;
    await engine.deleteAll();
    return [fig(`start_${count}_to_all_answer_ms`, ms, 'ms', 'lower', 'one services file')];
  },

  async logs_follow_latency(engine, quick) {
    await engine.startFile([{ name: 'writer', script: WRITER }]);
    const row = await until('writer pid', async () => (await engine.list()).find((r) => r.pids.length > 0), 20_000, 50);
    const args = engine.name === 'pm2' ? ['logs', 'writer', '--lines', '0', '--raw'] : ['logs', 'writer', '--lines', '0'];
    const binArgs = engine.name === 'pm2' ? [(await import('./engines/pm2.mjs')).PM2_BIN] : [resolve(import.meta.dirname, '../bin/apictl')];
    const follower = spawn(process.execPath, [...binArgs, ...args], { env: engine.env, stdio: ['ignore', 'pipe', 'ignore'] });
    const seen = new Map();
    let buffer = '';
    follower.stdout.on('data', (chunk) => {
      buffer += chunk;
      for (const match of buffer.matchAll(/probe (\d+)/g)) if (!seen.has(match[1])) seen.set(match[1], Date.now());
    });
    await delay(1_500); // the follower's own start-up is not what we measure
    const samples = [];
    for (let index = 0; index < (quick ? 5 : 10); index++) {
      const before = seen.size;
      process.kill(row.pids[0], 'SIGUSR2');
      await until('probe line printed', () => seen.size > before, 10_000, 1);
      const [written, printedAt] = [...seen].at(-1);
      samples.push(printedAt - Number(written));
      await delay(100);
    }
    follower.kill('SIGINT');
    await engine.deleteAll();
    return [fig('logs_follow_latency_median_ms', median(samples), 'ms', 'lower', 'child writes a line → logs -f prints it')];
  },

  async memory_growth(engine, quick) {
    const port = 24500;
    const cycle = async () => {
      await engine.startFile([{ name: 'cycler', script: SERVER, port }]);
      await allAnswer([port]);
      await engine.cli(['delete', 'cycler']);
      await until('cycler to let go of its port', async () => !(await httpOk(port, 200)), 10_000, 10);
    };
    const daemon = await daemonUp(engine);
    await cycle(); // the first start loads code that stays: not growth
    await delay(IDLE_MS(quick));
    const before = rssBytes(daemon);
    const cycles = quick ? 30 : 200;
    for (let index = 0; index < cycles; index++) await cycle();
    const idleSeconds = IDLE_MS(quick) / 1000;
    await delay(IDLE_MS(quick)); // what a daemon gives back once idle
    const after = rssBytes(daemon);
    return [
      fig('daemon_rss_before_cycles_mb', before / 1048576, 'MB', 'lower', `no services, ${idleSeconds} s after one start + delete`),
      fig(`daemon_rss_after_${cycles}_cycles_mb`, after / 1048576, 'MB', 'lower', `start + delete of one service, ${cycles} times, then ${idleSeconds} s idle`),
      fig(`daemon_rss_growth_${cycles}_cycles_mb`, (after - before) / 1048576, 'MB', 'lower', 'target < 2 MB'),
    ];
  },

  async crash_loop_cpu(engine, quick) {
    await daemonUp(engine);
    const daemon = engine.daemonPid();
    const seconds = quick ? 5 : 10;
    const { percent } = await cpuDuring(daemon, async () => {
      await engine.startFile([{ name: 'crasher', script: CRASH, extra: { maxRestarts: 1000 } }]);
      await delay(seconds * 1000);
    });
    const [row] = await engine.list();
    await engine.deleteAll();
    return [
      fig('crash_loop_daemon_cpu_pct', percent, '% core', 'lower', `a script that exits at once, over ${seconds}s`),
      fig('crash_loop_restarts', row?.restarts ?? 0, 'restarts', 'lower', 'how often it was respawned meanwhile'),
    ];
  },

  async daemon_recovery(engine) {
    if (engine.name !== 'apictl') return [fig('recover_10_after_kill9_ms', NaN, 'ms', 'lower', 'pm2 does not bring services back after its daemon dies')];
    const list = services(10, 24600);
    await engine.startFile(list);
    await allAnswer(list.map((s) => s.port));
    const oldPids = new Set((await engine.list()).flatMap((row) => row.pids));
    await engine.killDaemonHard();
    const started = performance.now();
    await engine.cli(['ping']);
    await allAnswer(list.map((s) => s.port));
    const ms = performance.now() - started;
    const newPids = (await engine.list()).flatMap((row) => row.pids);
    await engine.deleteAll();
    return [fig('recover_10_after_kill9_ms', ms, 'ms', 'lower', `next CLI command → all answer (${newPids.filter((p) => oldPids.has(p)).length} old pids kept)`)];
  },

  async resurrect_many(engine, quick) {
    const count = quick ? 20 : 50;
    const list = services(count, 24700);
    await engine.startFile(list);
    await allAnswer(list.map((s) => s.port));
    await engine.cli(['save']);
    await engine.cli(['kill']);
    const started = performance.now();
    await engine.cli(['resurrect']);
    await allAnswer(list.map((s) => s.port));
    const ms = performance.now() - started;
    await engine.deleteAll();
    return [fig(`resurrect_${count}_ms`, ms, 'ms', 'lower', 'resurrect → all answer')];
  },

  async balancer(engine, quick) {
    const seconds = quick ? 2 : 4;
    const figures = [];
    await engine.startFile([{ name: 'single', script: SERVER, port: 24800 }]);
    await allAnswer([24800]);
    const direct = await measureThroughput(24800, { seconds });
    figures.push(fig('http_1_instance_rps', direct.rps, 'req/s', 'higher', 'one process, no proxy; each HTTP figure after 1 s of warm-up load'));
    await engine.deleteAll();
    await engine.startFile([{ name: 'pair', script: SERVER, port: 24810, instances: 2, extra: { instances: 2 } }]);
    await allAnswer([24810]);
    const pair = await measureThroughput(24810, { seconds });
    figures.push(fig('http_2_instances_rps', pair.rps, 'req/s', 'higher', engine.name === 'pm2' ? 'pm2 cluster mode' : "apictl's balancer"));
    figures.push(fig('http_2_instances_p99_ms', pair.p99, 'ms', 'lower'));
    figures.push(fig('http_2_instances_failed', pair.failed, 'requests', 'lower'));
    await engine.deleteAll();
    if (engine.name === 'apictl') {
      if (!nginxAvailable()) figures.push(fig('http_2_nginx_rps', NaN, 'req/s', 'higher', 'nginx not installed'));
      else {
        const stop = await startNginxPair(SERVER, 24820, [24821, 24822]);
        try {
          const viaNginx = await measureThroughput(24820, { seconds });
          figures.push(fig('http_2_nginx_rps', viaNginx.rps, 'req/s', 'higher', 'nginx round-robin over 2 bare servers'));
          figures.push(fig('http_2_nginx_p99_ms', viaNginx.p99, 'ms', 'lower'));
        } finally {
          await stop();
        }
      }
    }
    return figures;
  },
};

/** RSS of a Node process that does nothing, after 2 s (Node's own floor for a daemon). */
async function nodeIdleFloorBytes() {
  const child = spawn(process.execPath, ['-e', 'setInterval(()=>{},1e3)'], { stdio: 'ignore' });
  try {
    await delay(2_000);
    return rssBytes(child.pid);
  } finally {
    child.kill('SIGKILL');
  }
}

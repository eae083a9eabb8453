// Issue 9's figures: the daemon SIGKILLed under a steady request loop against
// 10 single-instance services (and one balanced service, counted apart), with
// a numbered-line writer running across the kill; nothing is typed after the
// kill. pm2 gets the same workload: whatever its apps do when its God daemon
// dies is what is measured. Ports 27000-27099.
import { connect } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { httpOk, isAlive, until } from './lib.mjs';

const SERVER = resolve(import.meta.dirname, 'fixtures/server.js');
const COUNTER = resolve(import.meta.dirname, '../test/fixtures/counter.js');
const PROTOCOL = resolve(import.meta.dirname, '../dist/protocol/messages.js');
const fig = (metric, value, unit, better, note) => ({ metric, value: Math.round(value * 100) / 100, unit, better, ...(note ? { note } : {}) });

const SINGLE_BASE = 27000;
const BALANCED_PORT = 27020;
const WRITER_LINES = 6000;

/** apictl's daemon answers ping on its socket (no CLI process: nothing is typed, nothing starts one). */
async function apictlPingPid(home) {
  const { PROTOCOL_VERSION } = await import(PROTOCOL);
  return new Promise((resolvePid) => {
    const socket = connect({ path: join(home, 'daemon.sock') });
    const timer = setTimeout(() => (socket.destroy(), resolvePid(null)), 500);
    let text = '';
    socket.on('connect', () => socket.write(JSON.stringify({ id: 1, method: 'ping', protocol: PROTOCOL_VERSION, params: {} }) + '\n'));
    socket.on('data', (chunk) => {
      text += chunk;
      if (!text.includes('\n')) return;
      clearTimeout(timer);
      socket.destroy();
      try {
        const answer = JSON.parse(text.slice(0, text.indexOf('\n')));
        resolvePid(answer.ok ? answer.result.pid : null);
      } catch {
        resolvePid(null);
      }
    });
    socket.on('error', () => (clearTimeout(timer), resolvePid(null)));
  });
}

/** The pid of a daemon that answers now, or null. pm2 has no ping that does not start a daemon: its pid file and a live pid stand in. */
async function answeringDaemon(engine) {
  if (engine.name === 'apictl') return apictlPingPid(engine.home);
  const pid = engine.daemonPid();
  return pid && isAlive(pid) ? pid : null;
}

/** `clients` loops of one request at a time (a new connection each, as a client that reconnects would), round-robin over `ports`, until stopped. */
function requestLoop(ports, clients) {
  const tally = { ok: 0, failed: 0, firstFailAt: null, lastFailAt: null };
  let running = true;
  const loop = async (offset) => {
    for (let index = offset; running; index++) {
      const ok = await httpOk(ports[index % ports.length], 1_000);
      if (ok) tally.ok++;
      else {
        tally.failed++;
        tally.lastFailAt = performance.now();
        tally.firstFailAt ??= tally.lastFailAt;
      }
      await delay(2);
    }
  };
  const done = Promise.all(Array.from({ length: clients }, (_, client) => loop(client)));
  return { tally, stop: async () => ((running = false), await done) };
}

const LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?:? )?n (\d{7}) x{40} end$/;

function checkCounter(text, expected) {
  const seen = new Uint8Array(expected);
  let torn = 0;
  let unstamped = 0;
  let duplicated = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    const match = LINE.exec(line);
    if (!match) {
      torn++;
      continue;
    }
    if (!match[1]) unstamped++;
    const number = Number(match[2]);
    if (seen[number]) duplicated++;
    seen[number] = 1;
  }
  return { lost: expected - seen.reduce((sum, value) => sum + value, 0), torn, unstamped, duplicated };
}

const readOr = (path, fallback = '') => (existsSync(path) ? readFileSync(path, 'utf8') : fallback);

export const daemonKillWorkloads = {
  async daemon_kill(engine, quick) {
    const ports = Array.from({ length: 10 }, (_, index) => SINGLE_BASE + index);
    await engine.startFile([
      ...ports.map((port, index) => ({ name: `api${index}`, script: SERVER, port })),
      { name: 'pair', script: SERVER, port: BALANCED_PORT, instances: 2, extra: { instances: 2 } },
      { name: 'counter', script: COUNTER, env: { COUNT: String(WRITER_LINES), EVERY_MS: '1', MODE: 'lines' }, pm2: { time: true } },
    ]);
    await until('every service to answer', async () => (await Promise.all([...ports, BALANCED_PORT].map((port) => httpOk(port)))).every(Boolean), 60_000, 20);
    const before = new Map((await engine.list()).map((row) => [row.name, row.pids]));
    const singles = requestLoop(ports, 2);
    const balanced = requestLoop([BALANCED_PORT], 1);
    await delay(1_000); // steady load before the kill
    const killed = engine.daemonPid();
    await engine.killDaemonHard();
    const killedAt = performance.now();
    // Nothing is typed: a daemon that comes back, comes back by itself.
    let answeredMs = NaN;
    const watchSeconds = quick ? 5 : 8;
    while (performance.now() - killedAt < watchSeconds * 1000) {
      const pid = await answeringDaemon(engine);
      if (pid && pid !== killed) {
        answeredMs = performance.now() - killedAt;
        break;
      }
      await delay(10);
    }
    // Load goes on for a while after the kill (or after the new daemon answered).
    const settleUntil = Math.max(killedAt + 3_000, performance.now() + 1_000);
    while (performance.now() < settleUntil) await delay(50);
    await singles.stop();
    await balanced.stop();
    const answeringAfter = (await Promise.all(ports.map((port) => httpOk(port)))).filter(Boolean).length;
    const balancedAfter = await httpOk(BALANCED_PORT);
    // The writer's last line, if it ever comes (a writer whose pipe died never writes it).
    const last = `n ${String(WRITER_LINES - 1).padStart(7, '0')}`;
    await until('the writer to finish', () => readOr(engine.logFile('counter')).includes(last), 15_000, 50).catch(() => undefined);
    const counts = checkCounter(readOr(engine.logFile('counter')), WRITER_LINES);
    let keptPids = 0;
    if (Number.isFinite(answeredMs) || engine.name === 'apictl') {
      const after = await engine.list().catch(() => []);
      for (const row of after) if (row.name.startsWith('api') && JSON.stringify(row.pids) === JSON.stringify(before.get(row.name))) keptPids++;
    } else {
      // No daemon to ask: the same processes are alive or not.
      for (const [name, pids] of before) if (name.startsWith('api') && pids.length > 0 && pids.every(isAlive)) keptPids++;
    }
    const balancedOutageMs = balanced.tally.firstFailAt === null ? 0 : balanced.tally.lastFailAt - balanced.tally.firstFailAt;
    return [
      fig('kill9_failed_requests', singles.tally.failed, 'requests', 'lower', `10 single-instance services, ${singles.tally.ok + singles.tally.failed} requests in a steady loop across the kill (target 0)`),
      fig('kill9_daemon_back_ms', answeredMs, 'ms', 'lower', `kill → a new daemon answers ping, no command typed (target < 2000; none within ${watchSeconds} s: -)`),
      fig('kill9_singles_answering_after', answeringAfter, 'of 10', 'higher', 'single-instance services answering 3 s after the kill'),
      fig('kill9_singles_same_pid', keptPids, 'of 10', 'higher', 'still served by the pids they had before the kill'),
      fig('kill9_writer_lines_lost', counts.lost, 'lines', 'lower', `numbered-line writer (${WRITER_LINES} lines, one per ms) across the kill (target 0)`),
      fig('kill9_writer_lines_torn', counts.torn + counts.unstamped + counts.duplicated, 'lines', 'lower', 'torn, unstamped or repeated'),
      fig('kill9_balanced_failed_requests', balanced.tally.failed, 'requests', 'lower', `balanced service (2 instances), ${balanced.tally.ok + balanced.tally.failed} requests; it lives behind the daemon's listener`),
      fig('kill9_balanced_outage_ms', balancedOutageMs, 'ms', 'lower', `first to last failed request on the balanced port; answering after: ${balancedAfter ? 'yes' : 'no'}`),
    ];
  },
};

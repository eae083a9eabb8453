// Issue 4's figures: sampling cost at 100 services (with and without a
// dashboard attached) and how fast `apictl monit` shows its first full frame.
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { cpuDuring, httpOk, until } from './lib.mjs';

const SERVER = resolve(import.meta.dirname, 'fixtures/server.js');
const BIN = resolve(import.meta.dirname, '../bin/apictl');
const fig = (metric, value, unit, better, note) => ({ metric, value: Math.round(value * 100) / 100, unit, better, ...(note ? { note } : {}) });

/** A raw `monitor` subscription, as `apictl monit` holds one. */
function attachMonitor(home) {
  const socket = connect({ path: join(home, 'daemon.sock') });
  socket.on('data', () => undefined);
  socket.on('error', () => undefined);
  socket.write(JSON.stringify({ id: 1, method: 'monitor', protocol: 1, params: {} }) + '\n');
  return () => socket.destroy();
}

export const monitWorkloads = {
  async sampling_cpu(engine, quick) {
    if (engine.name !== 'apictl') return [];
    const figures = [];
    const seconds = quick ? 5 : 20;
    for (const count of quick ? [10, 30] : [10, 100]) {
      const services = Array.from({ length: count }, (_, index) => ({ name: `m${index}`, script: SERVER, port: 25000 + index }));
      await engine.startFile(services);
      await until('all answer', async () => (await Promise.all(services.map((s) => httpOk(s.port)))).every(Boolean), 180_000, 100);
      const daemon = engine.daemonPid();
      await delay(6_000); // past the first samples of new instances, which come every second
      const idle = await cpuDuring(daemon, () => delay(seconds * 1000));
      const detach = attachMonitor(engine.home);
      const watched = await cpuDuring(daemon, () => delay(seconds * 1000));
      detach();
      await engine.deleteAll();
      figures.push(
        fig(`daemon_cpu_idle_${count}_pct`, idle.percent, '% core', 'lower', `${count} idle services (sampled every 5 s with no dashboard), ${seconds}s`),
        fig(`daemon_cpu_idle_${count}_monit_pct`, watched.percent, '% core', 'lower', 'the same with a monit subscription attached (sampled every second)'),
      );
    }
    return figures;
  },

  async monit_first_frame(engine) {
    if (engine.name !== 'apictl') return [];
    await engine.startFile([{ name: 'framed', script: SERVER, port: 25200 }]);
    await until('framed answers', () => httpOk(25200), 30_000, 20);
    const session = `apictl-bench-${process.pid}`;
    const started = performance.now();
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '80', '-y', '24', `env APICTL_HOME='${engine.home}' '${process.execPath}' '${BIN}' monit`]);
    try {
      await until('first full frame', () => /^framed\s+online/m.test(execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' })), 30_000, 5);
      return [fig('monit_first_frame_ms', performance.now() - started, 'ms', 'lower', 'apictl monit in tmux → a row with its service')];
    } finally {
      execFileSync('tmux', ['kill-session', '-t', session]);
      await engine.deleteAll();
    }
  },
};

// npm run bench [-- --only a,b] [--quick] [--json] [--vs pm2]
// Prints apictl's figures; with --vs pm2, pm2's beside them, workload by
// workload in the same run. pm2 runs only inside a loopback-only network
// namespace, with a temp PM2_HOME and its version check off.
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { createApictl } from './engines/apictl.mjs';
import { createPm2, installPm2 } from './engines/pm2.mjs';
import { workloads as coreWorkloads } from './workloads.mjs';
import { monitWorkloads } from './workloads-monit.mjs';
import { trafficWorkloads } from './workloads-traffic.mjs';
import { autoscaleWorkloads } from './workloads-autoscale.mjs';
import { logWorkloads } from './workloads-logs.mjs';
import { daemonKillWorkloads } from './workloads-daemon-kill.mjs';

const workloads = { ...coreWorkloads, ...monitWorkloads, ...trafficWorkloads, ...autoscaleWorkloads, ...logWorkloads, ...daemonKillWorkloads };

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name) => (argv.indexOf(name) >= 0 ? argv[argv.indexOf(name) + 1] : undefined);
const quick = flag('--quick');
const json = flag('--json');
const versus = value('--vs');
const only = value('--only')?.split(',').filter(Boolean);
const engineName = value('--engine') ?? 'apictl';
const WORKLOAD_LIMIT_MS = quick ? 120_000 : 300_000;

const unknown = (only ?? []).filter((name) => !(name in workloads));
if (unknown.length > 0) {
  console.error(`bench: unknown workload ${unknown.join(', ')}; known: ${Object.keys(workloads).join(', ')}`);
  process.exit(1);
}
if (versus && versus !== 'pm2') {
  console.error('bench: --vs takes "pm2"');
  process.exit(1);
}
const selected = only ?? Object.keys(workloads);

let current = null;
process.on('SIGINT', async () => {
  if (current) await current.teardown().catch(() => undefined);
  process.exit(130);
});

/** Runs one workload on a fresh engine, bounded in time, always cleaning up. */
async function runWorkload(name, create) {
  const engine = create();
  current = engine;
  let timer;
  try {
    const limit = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`over ${WORKLOAD_LIMIT_MS / 1000}s`)), WORKLOAD_LIMIT_MS)));
    return await Promise.race([workloads[name](engine, quick), limit]);
  } catch (error) {
    return [{ metric: name, error: String(error.message ?? error) }];
  } finally {
    clearTimeout(timer);
    await engine.teardown().catch(() => undefined);
    current = null;
  }
}

/** pm2's figures for one workload, from a child runner inside a network namespace with only loopback. */
function runPm2Isolated(name) {
  const inner = [process.execPath, import.meta.filename, '--engine', 'pm2', '--only', name, '--json', ...(quick ? ['--quick'] : [])]
    .map((part) => `'${part.replaceAll("'", "'\\''")}'`)
    .join(' ');
  return new Promise((resolve) => {
    const child = spawn('unshare', ['-rn', 'sh', '-c', `ip link set lo up && exec ${inner}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('close', (code) => {
      const figures = out.split('\n').filter(Boolean).map((line) => JSON.parse(line));
      resolve(code === 0 || figures.length ? figures : [{ metric: name, error: `pm2 runner exited ${code}` }]);
    });
  });
}

const results = [];
if (engineName === 'pm2') {
  if (!process.env.PM2_HOME_ISOLATED && !flag('--in-namespace-ok')) {
    // Refuse to run pm2 outside a namespace whose only interface is loopback.
    const { networkInterfaces } = await import('node:os');
    const names = Object.keys(networkInterfaces());
    if (names.some((iface) => iface !== 'lo')) {
      console.error('bench: pm2 runs only inside a loopback-only network namespace (use --vs pm2)');
      process.exit(1);
    }
  }
  for (const name of selected) for (const figure of await runWorkload(name, createPm2)) console.log(JSON.stringify({ engine: 'pm2', workload: name, ...figure }));
  process.exit(0);
}

if (versus === 'pm2') await installPm2();
for (const name of selected) {
  if (!json) process.stderr.write(`bench: ${name}…\n`);
  const mine = await runWorkload(name, createApictl);
  const theirs = versus === 'pm2' ? await runPm2Isolated(name) : [];
  for (const figure of mine) {
    const other = theirs.find((item) => item.metric === figure.metric);
    results.push({ workload: name, ...figure, pm2: other?.value, pm2Error: other?.error });
  }
  for (const figure of theirs.filter((item) => item.error && !mine.some((m) => m.metric === item.metric))) {
    results.push({ workload: name, metric: figure.metric, pm2Error: figure.error });
  }
  if (json) for (const row of results.filter((item) => item.workload === name)) console.log(JSON.stringify(row));
}

if (!json) printTable(results);

function printTable(rows) {
  const header = ['metric', 'apictl', ...(versus ? ['pm2', 'ratio', 'better'] : []), 'unit', 'note'];
  const lines = rows.map((row) => {
    const mineText = row.error ? `error: ${row.error}` : format(row.value);
    const cells = [row.metric, mineText];
    if (versus) {
      const ratio = Number.isFinite(row.value) && Number.isFinite(row.pm2) && row.pm2 !== 0 ? row.value / row.pm2 : NaN;
      let better = '';
      if (Number.isFinite(row.value) && Number.isFinite(row.pm2) && row.value !== row.pm2) {
        better = (row.better === 'lower' ? row.value < row.pm2 : row.value > row.pm2) ? 'apictl' : 'pm2';
      }
      cells.push(row.pm2Error ? `error: ${row.pm2Error}` : format(row.pm2), Number.isFinite(ratio) ? ratio.toFixed(2) : '-', better);
    }
    cells.push(row.unit ?? '', row.note ?? '');
    return cells;
  });
  const widths = header.map((h, column) => Math.max(h.length, ...lines.map((line) => String(line[column]).length)));
  const render = (cells) => cells.map((cell, column) => String(cell).padEnd(widths[column])).join('  ').trimEnd();
  console.log(`apictl bench ${new Date().toISOString().slice(0, 10)} · ${cpus().length} cores · Node ${process.version}${quick ? ' · --quick' : ''}`);
  console.log(render(header));
  for (const line of lines) console.log(render(line));
}

function format(value) {
  if (value === undefined || value === null) return '-';
  if (!Number.isFinite(value)) return 'n/a';
  return Math.abs(value) >= 1000 ? Math.round(value).toLocaleString('en-US') : String(value);
}

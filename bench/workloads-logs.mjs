// Issue 15's log figures: a child writing 100-byte numbered lines, (1) one
// write per line, as console.log / print(flush=True) / Plumber's request log
// do, and (2) the same byte stream in 8 KB blocks that cut lines anywhere,
// as C stdio, Python and R write into a pipe. Each is measured in rounds
// that interleave the engine with its floor, the same child piped into
// `cat`, so both see the same machine load. Ports: none.
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { isAlive, median, run, until } from './lib.mjs';

const LINES = resolve(import.meta.dirname, 'fixtures/lines.js');
const fig = (metric, value, unit, better, note) => ({ metric, value: Math.round(value * 100) / 100, unit, better, ...(note ? { note } : {}) });
const range = (values) => `${Math.round(Math.min(...values)).toLocaleString('en-US')}–${Math.round(Math.max(...values)).toLocaleString('en-US')}`;

/** ms from the child's first write until `cat` has read its last byte. */
async function catFloorMs(lines, mode) {
  const result = await run('sh', ['-c', `"${process.execPath}" "${LINES}" ${lines} ${mode} exit | cat > /dev/null; date +%s%3N >&2`]);
  const started = Number(/lines start (\d+)/.exec(result.stderr)?.[1]);
  const ended = Number(/^(\d{13})$/m.exec(result.stderr)?.[1]);
  return ended - started;
}

/** Reads only the last 4 KB: polling must not compete with the writer it measures. */
function tailHas(path, text) {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(4096, size);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('latin1').includes(text);
  } finally {
    closeSync(fd);
  }
}

const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?:? )?line (\d{8}) (x+)$/;

/** Every number once, in order, whole, stamped: what went wrong, by kind. */
export function checkLines(content, expected) {
  const seen = new Uint8Array(expected);
  let torn = 0;
  let unstamped = 0;
  let duplicated = 0;
  let disordered = 0;
  let last = -1;
  for (const text of content.split('\n')) {
    if (!text) continue;
    const match = STAMP.exec(text);
    if (!match || match[3].length !== 85) {
      torn++;
      continue;
    }
    if (!match[1]) unstamped++;
    const number = Number(match[2]);
    if (number >= expected) {
      torn++;
      continue;
    }
    if (seen[number]) duplicated++;
    if (number < last) disordered++;
    last = number;
    seen[number] = 1;
  }
  return { lost: expected - seen.reduce((sum, value) => sum + value, 0), torn, unstamped, duplicated, disordered };
}

async function engineRunMs(engine, name, lines, mode) {
  await engine.startFile([{ name, script: LINES, args: [String(lines), mode], extra: { logMaxSize: '1G' }, pm2: { time: true } }]);
  const last = `line ${String(lines - 1).padStart(8, '0')} `;
  // Done at the last line on disk; an engine that loses it is done when its log stops growing (2 s after the writer is).
  let grewAt = Date.now();
  let size = -1;
  const done = await until(`every line of ${name} on disk`, () => {
    const path = engine.logFile(name);
    if (!existsSync(path)) return false;
    if (tailHas(path, last)) return Date.now();
    const now = statSync(path).size;
    if (now !== size) [size, grewAt] = [now, Date.now()];
    const writerDone = existsSync(engine.errFile(name)) && readFileSync(engine.errFile(name), 'utf8').includes('lines done');
    return writerDone && Date.now() - grewAt > 2_000 ? grewAt : false;
  }, 120_000, 5);
  const started = Number(/lines start (\d+)/.exec(readFileSync(engine.errFile(name), 'utf8'))?.[1]);
  const counts = checkLines(readFileSync(engine.logFile(name), 'latin1'), lines);
  const pids = (await engine.list()).flatMap((row) => row.pids);
  await engine.cli(['delete', name]);
  await until(`${name} to exit`, () => pids.every((pid) => !isAlive(pid)), 10_000, 10);
  return { ms: done - started, counts };
}

function logFigures(prefix, label, lines, engineRates, floorRates, counts) {
  const ratios = engineRates.map((rate, index) => rate / floorRates[index]);
  const sum = (key) => counts.reduce((total, item) => total + item[key], 0);
  return [
    fig(`${prefix}_lines_per_s`, median(engineRates), 'lines/s', 'higher', `${label}; median of ${engineRates.length} rounds, range ${range(engineRates)}`),
    fig(`${prefix}_cat_floor_lines_per_s`, median(floorRates), 'lines/s', 'higher', `floor: the same child | cat, interleaved; range ${range(floorRates)}`),
    fig(`${prefix}_vs_cat`, median(ratios), '× cat', 'higher', `per round ${ratios.map((ratio) => ratio.toFixed(2)).join(' ')}`),
    fig(`${prefix}_lost`, sum('lost'), 'lines', 'lower', `over ${counts.length} × ${lines} lines`),
    fig(`${prefix}_torn`, sum('torn'), 'lines', 'lower', 'cut or merged lines'),
    fig(`${prefix}_unstamped`, sum('unstamped'), 'lines', 'lower'),
    fig(`${prefix}_duplicated`, sum('duplicated') + sum('disordered'), 'lines', 'lower', 'twice or out of order'),
  ];
}

async function measureLogs(engine, quick, mode) {
  const lines = quick ? 200_000 : 500_000;
  const rounds = quick ? 2 : 4;
  await engine.list(); // the daemon is up before anything is timed
  const engineRates = [];
  const floorRates = [];
  const counts = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so neither always runs on a warmer machine.
    const floorFirst = round % 2 === 0;
    if (floorFirst) floorRates.push(lines / ((await catFloorMs(lines, mode)) / 1000));
    const result = await engineRunMs(engine, `${mode}s${round}`, lines, mode);
    engineRates.push(lines / (result.ms / 1000));
    counts.push(result.counts);
    if (!floorFirst) floorRates.push(lines / ((await catFloorMs(lines, mode)) / 1000));
  }
  return { lines, engineRates, floorRates, counts };
}

export const logWorkloads = {
  async log_lines(engine, quick) {
    const { lines, engineRates, floorRates, counts } = await measureLogs(engine, quick, 'line');
    return logFigures('log_line_writes', `${lines} lines of 100 B, one write each, first write → last line on disk, timestamped`, lines, engineRates, floorRates, counts);
  },

  async log_blocks(engine, quick) {
    const { lines, engineRates, floorRates, counts } = await measureLogs(engine, quick, 'block');
    return logFigures('log_block_writes', `${lines} lines of 100 B in 8 KB writes that cut lines, timestamped`, lines, engineRates, floorRates, counts);
  },
};

import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness } from '../helpers/harness.js';
import { fillWithPages, tmpfsForBlock } from '../helpers/tmpfs.js';
import { waitFor } from '../helpers/wait.js';

// SPEC §6/§12: lines the full disk refused are kept until space is back. With
// logDate: false (one instance) a chunk goes to the file as read, unstamped: the
// kept piece was a view of the daemon's shared read buffer, which the next read
// of any pipe overwrote, so the lines written later were other bytes.
// logs/ alone is a 3 MB tmpfs.
const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot)('lines refused by a full disk, logDate: false, while other pipes are read', () => {
  const harness = new Harness(29410);
  const logs = join(harness.home, 'logs');
  const logOf = (name: string) => (existsSync(join(logs, `${name}.out.log`)) ? readFileSync(join(logs, `${name}.out.log`), 'utf8') : '');
  tmpfsForBlock(harness, logs, '3m');

  it('are written as the service wrote them once space is back', async () => {
    const go = join(harness.work, 'go');
    const file = join(harness.work, 'services.json');
    writeFileSync(file, JSON.stringify({ services: [
      { name: 'plain', script: join(FIXTURES, 'two-chunks.js'), port: false, logDate: false, restart: 'never', env: { GO: go } },
      { name: 'noisy', script: join(FIXTURES, 'log-shapes.js'), args: ['ticker'], port: false },
    ] }));
    await harness.ok(['start', file, '--no-wait']);
    await waitFor('noisy ticking', () => logOf('noisy'), (text) => text.includes('tick 3'));
    const fillers = fillWithPages(logs);
    writeFileSync(go, '');
    await waitFor('plain stalled', async () => (await harness.service('plain')).logs.stalled, (stall) => stall !== null, 30_000);
    await waitFor('noisy stalled', async () => (await harness.service('noisy')).logs.stalled, (stall) => stall !== null, 30_000);
    for (let index = 0; index < fillers; index++) rmSync(join(logs, `fill.${index}`));
    await waitFor('line 199 of plain', () => logOf('plain'), (text) => text.includes('n 0000199'), 30_000);
    const line = (n: number) => `n ${String(n).padStart(7, '0')} ${'x'.repeat(40)} end\n`;
    expect(logOf('plain')).toBe(Array.from({ length: 200 }, (_, n) => line(n)).join(''));
  });
});

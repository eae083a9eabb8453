import { afterAll, describe, expect, it } from 'vitest';
import { closeSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceLogSink } from '../../src/logs/service-log-sink.js';
import { makeFifos, openFifoForChild, openFifoReader } from '../../src/process/fifo.js';
import { waitFor } from '../helpers/wait.js';

// Regression: the once-a-second path check committed every stream's journal
// whether or not anything had moved — a header write per stream per second
// in an idle daemon, and garbage V8 promoted (the old generation of a daemon
// with 10 idle services grew ~1 MB a minute until a full collection).
const work = mkdtempSync(join(tmpdir(), 'apictl-sink-idle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('an idle log sink', () => {
  it('leaves its journals alone at a path check that finds its files where they were, and commits after one that moved them', async () => {
    const logs = join(work, 'logs');
    const sink = new ServiceLogSink('idle', { out: join(logs, 'idle.out.log'), err: join(logs, 'idle.err.log') }, { maxBytes: 1 << 20, keep: 1 }, {
      multiInstance: false, stamp: true, maxLineBytes: 1 << 20, emit: () => undefined, hasListeners: () => false, onStall: () => undefined,
    });
    const fifo = join(work, 'idle.out');
    await makeFifos([fifo]);
    const child = openFifoForChild(fifo);
    const source = sink.attach(0, 'out', fifo, openFifoReader(fifo), `${fifo}.carry`);
    try {
      writeSync(child, 'one line\n');
      const log = join(logs, 'idle.out.log');
      await waitFor('the line in the log', () => (existsSync(log) ? readFileSync(log, 'utf8') : ''), (text) => text.endsWith(' one line\n'), 10_000);
      const journal = () => statSync(`${fifo}.carry`, { bigint: true }).mtimeNs;
      const before = journal();
      for (let check = 0; check < 5; check++) sink.checkPaths();
      expect(journal()).toBe(before);

      rmSync(logs, { recursive: true, force: true });
      writeSync(child, 'two line\n'); // into the deleted file, still open
      await waitFor('the second line journaled and committed', journal, (now) => now !== before, 10_000);
      const written = journal();
      sink.checkPaths(); // the folder is recreated and the line copied over: the journal learns where the log is now
      expect(readFileSync(log, 'utf8')).toMatch(/^\S+ two line\n$/);
      expect(journal()).not.toBe(written);
    } finally {
      sink.detach(source);
      sink.close();
      closeSync(child);
    }
  });
});

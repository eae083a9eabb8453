import { request } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';

export interface LoopResult {
  ok: number;
  failed: string[];
  /** Requests answered, per port. */
  perPort: Map<number, number>;
}

export interface LoopOptions {
  /** What each request asks for (default "/"). */
  path?: string;
  /** Requests in flight at once on each port (default 1). */
  clients?: number;
}

/**
 * A steady request loop: one request at a time per port (or `clients` at
 * once), each on a new connection, until stopped. Bounded: it stops by itself
 * after `maxMs`.
 */
export function requestLoop(ports: number[], maxMs = 120_000, { path = '/', clients = 1 }: LoopOptions = {}) {
  const result: LoopResult = { ok: 0, failed: [], perPort: new Map(ports.map((port) => [port, 0])) };
  let running = true;
  const until = Date.now() + maxMs;
  const one = (port: number) =>
    new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 5_000 }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) {
            result.ok++;
            result.perPort.set(port, result.perPort.get(port)! + 1);
          } else {
            result.failed.push(`${port}: HTTP ${res.statusCode}`);
          }
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error: NodeJS.ErrnoException) => {
        result.failed.push(`${port}: ${error.code ?? error.message}`);
        resolve();
      });
      req.end();
    });
  const loops = ports.flatMap((port) =>
    Array.from({ length: clients }, async () => {
      while (running && Date.now() < until) await one(port);
    }),
  );
  return {
    result,
    /** Resolves once `count` more requests have been answered. */
    async answered(count: number, timeoutMs = 30_000): Promise<void> {
      const target = result.ok + count;
      const deadline = Date.now() + timeoutMs;
      while (result.ok < target) {
        if (Date.now() > deadline) throw new Error(`request loop: ${result.ok}/${target} answered within ${timeoutMs} ms; failures: ${result.failed.slice(0, 5).join(', ')}`);
        await delay(5);
      }
    },
    async stop(): Promise<LoopResult> {
      running = false;
      await Promise.all(loops);
      return result;
    },
  };
}

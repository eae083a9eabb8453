import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { daemonPortsOf, holdDaemonPorts } from '../../src/daemon/early-ports.js';
import { closeServer, createFrontServer, listenOn } from '../../src/balancer/front-server.js';
import { releaseHeldPorts } from '../../src/balancer/held-ports.js';

// A new daemon opens the public ports of balanced services and routes before
// it loads the rest of itself: a client that connects meanwhile waits, and is
// served once the balancer takes the port over. (Port range 23950–23959.)
afterEach(() => releaseHeldPorts());

const get = (port: number) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/x', agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });

describe('daemonPortsOf', () => {
  it('lists the ports the daemon itself listened on: balanced running services and routes', () => {
    expect(daemonPortsOf({
      services: [
        { service: { name: 'a', port: 9001, instances: 2 }, desired: 'running' },
        { service: { name: 'b', port: 9002 }, desired: 'running' },
        { service: { name: 'c', port: 9003, maxInflight: 1 }, desired: 'running' },
        { service: { name: 'd', port: 9004, instances: { min: 0, max: 3 } }, desired: 'running' },
        { service: { name: 'e', port: 9005, accessLog: true }, desired: 'stopped' },
        { service: { name: 'f', port: 'x', instances: 2 }, desired: 'running' },
        { definition: { name: 'g', port: 9007, accessLog: true }, desired: 'running' },
        null,
      ],
      routes: [{ port: 9100, paths: {} }, { port: 0 }],
    }).sort()).toEqual([9001, 9003, 9004, 9007, 9100]);
    expect(daemonPortsOf('garbage')).toEqual([]);
    expect(daemonPortsOf({ services: 3 })).toEqual([]);
  });
});

describe('a held port', () => {
  it('keeps a client that connects before the balancer exists, and the balancer serves it on the same socket', async () => {
    const work = mkdtempSync(join(tmpdir(), 'apictl-held-'));
    try {
      writeFileSync(join(work, 'state.json'), JSON.stringify({ services: [{ service: { name: 'a', port: 23950, instances: 2 }, desired: 'running' }] }));
      expect(await holdDaemonPorts(join(work, 'state.json'), '127.0.0.1')).toEqual([23950]);
      // Connected and sent while nothing serves the port yet: it must wait, not be refused.
      const early = get(23950);
      await new Promise<void>((resolve, reject) => connect({ host: '127.0.0.1', port: 23950 }, resolve).on('error', reject));
      const server = createFrontServer({ headerTimeoutMs: 5_000, keepAliveTimeoutMs: 5_000 }, (req, res) => res.end(`served ${req.url}`), () => undefined);
      await listenOn(server, 23950, '127.0.0.1');
      expect(await early).toEqual({ status: 200, body: 'served /x' });
      expect(await get(23950)).toEqual({ status: 200, body: 'served /x' });
      await closeServer(server);
      // Closed with the balancer: refused again.
      await expect(get(23950)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('a port nothing takes is let go, and one in use is not held', async () => {
    const work = mkdtempSync(join(tmpdir(), 'apictl-held-'));
    const blocker = createFrontServer({ headerTimeoutMs: 5_000, keepAliveTimeoutMs: 5_000 }, (_req, res) => res.end('other'), () => undefined);
    try {
      await listenOn(blocker, 23952, '127.0.0.1');
      writeFileSync(join(work, 'state.json'), JSON.stringify({ services: [23951, 23952].map((port) => ({ service: { name: `s${port}`, port, instances: 3 }, desired: 'running' })) }));
      expect(await holdDaemonPorts(join(work, 'state.json'), '127.0.0.1')).toEqual([23951]);
      releaseHeldPorts();
      await expect(get(23951)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect((await get(23952)).body).toBe('other');
    } finally {
      await closeServer(blocker);
      rmSync(work, { recursive: true, force: true });
    }
  });
});

import { request } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request on a fresh connection; headers given as a flat list so repeated and odd ones go as written (Host added unless given). */
export function fetchRaw(port: number, path: string, headers: string[] = [], timeoutMs = 10_000): Promise<Answer> {
  const hasHost = headers.some((name, index) => index % 2 === 0 && name.toLowerCase() === 'host');
  const all = hasHost ? headers : ['Host', `127.0.0.1:${port}`, ...headers];
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs, headers: all }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: GET ${path}`)));
    req.on('error', reject);
    req.end();
  });
}

/** Opens a long-lived response (SSE): resolves once its first bytes arrived, with a promise of its end. */
export function openStream(port: number, path: string): Promise<{ ended: Promise<void>; destroy: () => void }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const ended = new Promise<void>((done) => {
        res.on('close', () => done());
        res.on('error', () => done());
      });
      res.once('data', () => resolve({ ended, destroy: () => req.destroy() }));
      res.resume();
    });
    req.on('error', reject);
    req.end();
  });
}

/** A WebSocket handshake by hand: resolves with the upgraded socket and the 101 answer's headers. */
export function openWebSocket(port: number, path = '/ws', headers: Record<string, string> = {}): Promise<{ socket: Socket; headers: Record<string, string | string[] | undefined>; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, path, agent: false,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13', ...headers },
    });
    req.on('upgrade', (res, socket) => {
      const closed = new Promise<void>((done) => socket.once('close', () => done()));
      socket.on('error', () => undefined);
      resolve({ socket, headers: res.headers, closed });
    });
    req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
}

/** A raw TCP client that sends `text` and reports when the server closes on it. */
export function openRawSocket(port: number, text: string): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.write(text);
      resolve({ socket, closed });
    });
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('error', (error) => reject(error));
    socket.resume();
  });
}

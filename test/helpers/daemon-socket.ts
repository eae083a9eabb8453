import { connect } from 'node:net';
import { join } from 'node:path';
import { PROTOCOL_VERSION } from '../../src/protocol/messages.js';

export interface DaemonAnswer {
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

/**
 * Requests written back to back on one connection to daemon.sock, with no CLI
 * process in between: the daemon receives them in this order within
 * microseconds, so a test can land a command inside a race window.
 * Resolves with every answer, in request order (a dropped connection answers
 * the rest with code GONE).
 */
export function callDaemonMany(home: string, requests: Array<[string, Record<string, unknown>?]>, timeoutMs = 60_000): Promise<DaemonAnswer[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path: join(home, 'daemon.sock') });
    const answers: Array<DaemonAnswer | undefined> = requests.map(() => undefined);
    let text = '';
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answers.map((answer) => answer ?? { ok: false, error: { code: 'GONE', message: 'connection closed before an answer' } }));
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${requests.map(([method]) => method).join(', ')}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () =>
      socket.write(requests.map(([method, params], index) => JSON.stringify({ id: index + 1, method, protocol: PROTOCOL_VERSION, params: params ?? {} }) + '\n').join('')),
    );
    socket.on('data', (chunk) => {
      text += chunk;
      const lines = text.split('\n');
      text = lines.pop()!;
      for (const line of lines) {
        const message = JSON.parse(line);
        if ('ok' in message && message.id >= 1 && message.id <= requests.length) answers[message.id - 1] = message;
      }
      if (answers.every(Boolean)) finish();
    });
    socket.on('close', finish);
    socket.on('error', (error) => (answers.some(Boolean) ? finish() : reject(error)));
  });
}

export async function callDaemon(home: string, method: string, params: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<DaemonAnswer> {
  return (await callDaemonMany(home, [[method, params]], timeoutMs))[0]!;
}

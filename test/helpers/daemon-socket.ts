import { connect } from 'node:net';
import { join } from 'node:path';
import { PROTOCOL_VERSION } from '../../src/protocol/messages.js';
import { waitFor } from './wait.js';

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

/** The pid of the daemon that answers ping now (none: null); no CLI process, so nothing starts one. */
export async function answeringDaemon(home: string): Promise<number | null> {
  const answer = await callDaemon(home, 'ping', {}, 2_000).catch(() => null);
  return answer?.ok ? (answer.result as { pid: number }).pid : null;
}

/** SIGKILLs the daemon `pid`; nobody types a command: resolves with the new daemon's pid once the keeper has one back. */
export async function killDaemonHard(home: string, pid: number): Promise<number> {
  process.kill(pid, 'SIGKILL');
  const fresh = await waitFor('a new daemon answering ping', () => answeringDaemon(home), (found) => found !== null && found !== pid, 15_000);
  return fresh!;
}

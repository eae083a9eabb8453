import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { ApictlError, toErrorPayload } from '../errors.js';
import { encodeMessage, NdjsonDecoder } from '../protocol/framing.js';
import { PROTOCOL_VERSION, type Request } from '../protocol/messages.js';

export interface CallContext {
  /** Sends an event to this caller (streaming requests); false once it is gone. */
  emit(event: string, data: unknown): boolean;
  /** Resolves when the caller disconnects. */
  closed: Promise<void>;
}

export type Handler = (params: Record<string, unknown>, call: CallContext) => Promise<unknown>;

/** Methods that must answer across builds, so an old daemon can still be found and stopped. */
const VERSIONLESS = new Set(['ping', 'kill']);

/** NDJSON over the Unix socket: one request per line in, responses and events out. */
export class DaemonServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly handlers: Record<string, Handler>, private readonly logger: Logger) {
    this.server = createServer((socket) => this.accept(socket));
  }

  listen(path: string): Promise<void> {
    rmSync(path, { force: true });
    // The socket is created with the umask's mode: make it 0600 from birth.
    const previous = process.umask(0o177);
    return new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ path }, () => {
        process.umask(previous);
        chmodSync(path, 0o600);
        resolve();
      });
    });
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    const decoder = new NdjsonDecoder();
    let resolveClosed!: () => void;
    const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
    const send = (message: unknown): boolean => {
      if (socket.destroyed || !socket.writable) return false;
      socket.write(encodeMessage(message));
      return true;
    };
    socket.on('close', () => {
      this.sockets.delete(socket);
      resolveClosed();
    });
    // A reader that vanished (EPIPE, ECONNRESET) costs us nothing but its own socket.
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      let messages: unknown[];
      try {
        messages = decoder.push(chunk);
      } catch {
        send({ id: 0, ok: false, error: { code: 'APICTL_BAD_REQUEST', message: 'request is not valid JSON' } });
        socket.end();
        return;
      }
      for (const message of messages) void this.dispatch(message as Request, send, closed);
    });
  }

  private async dispatch(request: Request, send: (message: unknown) => boolean, closed: Promise<void>): Promise<void> {
    const id = typeof request?.id === 'number' ? request.id : 0;
    try {
      if (request.protocol !== PROTOCOL_VERSION && !VERSIONLESS.has(request.method)) {
        throw new ApictlError(
          'APICTL_PROTOCOL_MISMATCH',
          `the running daemon (pid ${process.pid}) is from another apictl build (protocol ${PROTOCOL_VERSION}, this CLI speaks ${request.protocol})`,
          { hint: 'run `apictl kill` to stop it (and its services), then run your command again' },
        );
      }
      const handler = this.handlers[request.method];
      if (!handler) throw new ApictlError('APICTL_BAD_REQUEST', `unknown method "${request.method}"`);
      const result = await handler((request.params ?? {}) as Record<string, unknown>, {
        emit: (event, data) => send({ id, event, data }),
        closed,
      });
      send({ id, ok: true, result });
    } catch (error) {
      const payload = toErrorPayload(error);
      if (payload.code === 'APICTL_INTERNAL') this.logger.error({ err: error, method: request.method }, 'request failed');
      send({ id, ok: false, error: payload });
    }
  }
}

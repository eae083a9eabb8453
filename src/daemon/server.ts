import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { ApictlError, toErrorPayload } from '../errors.js';
import { encodeMessage, MessageTooLarge, NdjsonDecoder } from '../protocol/framing.js';
import { PROTOCOL_VERSION, type Request } from '../protocol/messages.js';

export interface CallContext {
  /**
   * Sends an event to this caller (streaming requests). False once it is gone,
   * or while it is not reading: the event is then dropped (counted, and the
   * caller told how many once it reads again), never buffered without bound.
   */
  emit(event: string, data: unknown): boolean;
  /** Resolves when the caller disconnects. */
  closed: Promise<void>;
}

export type Handler = (params: Record<string, unknown>, call: CallContext) => Promise<unknown>;

/** Largest request line the daemon reads: far above any real request, far below harm. */
export const MAX_REQUEST_BYTES = 1024 * 1024;
/** What a streaming caller that stops reading may cost: beyond it, events are skipped for it. */
export const MAX_STREAM_BUFFER_BYTES = 1024 * 1024;

/** Methods that must answer across builds, so an old daemon can still be found, replaced or stopped. */
const VERSIONLESS = new Set(['ping', 'kill', 'update']);
/** Subscriptions: they last as long as their caller, so a handover does not wait for them. */
const STREAMING = new Set(['logs', 'monitor']);

/** NDJSON over the Unix socket: one request per line in, responses and events out. */
export class DaemonServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly inflight = new Set<Promise<void>>();
  private refusing: string | null = null;

  constructor(private readonly handlers: Record<string, Handler>, private readonly logger: Logger) {
    this.server = createServer((socket) => this.accept(socket));
  }

  listen(path: string): Promise<void> {
    rmSync(path, { force: true });
    // The socket is created with the umask's mode: make it 0600 from birth.
    const previous = process.umask(0o177);
    return new Promise<void>((resolve, reject) => {
      this.server.once('error', (error) => {
        process.umask(previous);
        reject(error);
      });
      this.server.listen({ path }, () => {
        process.umask(previous);
        chmodSync(path, 0o600);
        resolve();
      });
    });
  }

  /** From now on every request but `ping` is answered with `why` (a handover or shutdown under way). */
  refuseNewWork(why: string): void {
    this.refusing = why;
  }

  /** Resolves when the requests under way (not subscriptions) have answered, or after `deadlineMs`. */
  async settle(deadlineMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.inflight), new Promise((resolve) => (timer = setTimeout(resolve, deadlineMs)))]);
    clearTimeout(timer);
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    const decoder = new NdjsonDecoder(MAX_REQUEST_BYTES);
    let resolveClosed!: () => void;
    const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
    /** Events dropped per streaming call while its reader was not reading. */
    const skipped = new Map<number, number>();
    let dead = false;
    const send = (message: { id: number }, droppable: boolean): boolean => {
      if (dead || socket.destroyed || !socket.writable) return false;
      if (droppable && socket.writableLength > MAX_STREAM_BUFFER_BYTES) {
        skipped.set(message.id, (skipped.get(message.id) ?? 0) + 1);
        return true;
      }
      socket.write(encodeMessage(message));
      return true;
    };
    socket.on('drain', () => {
      for (const [id, events] of skipped) socket.write(encodeMessage({ id, event: 'skipped', data: { events } }));
      skipped.clear();
    });
    socket.on('close', () => {
      this.sockets.delete(socket);
      resolveClosed();
    });
    // A reader that vanished (EPIPE, ECONNRESET) costs us nothing but its own socket.
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      if (dead) return;
      let messages: unknown[];
      try {
        messages = decoder.push(chunk);
      } catch (error) {
        const message = error instanceof MessageTooLarge ? `request larger than ${MAX_REQUEST_BYTES} bytes` : 'request is not valid JSON';
        send({ id: 0, ok: false, error: { code: 'APICTL_BAD_REQUEST', message } } as { id: number }, false);
        // Answer, then stop reading this caller: what it still sends is not looked at.
        dead = true;
        socket.end();
        setTimeout(() => socket.destroy(), 1_000).unref();
        return;
      }
      for (const message of messages) this.track(message, send, closed);
    });
  }

  private track(message: unknown, send: Sender, closed: Promise<void>): void {
    const request = isRequest(message) ? message : null;
    const work = this.dispatch(request, message, send, closed);
    if (request && STREAMING.has(request.method)) return;
    this.inflight.add(work);
    void work.finally(() => this.inflight.delete(work));
  }

  private async dispatch(request: Request | null, raw: unknown, send: Sender, closed: Promise<void>): Promise<void> {
    const id = request?.id ?? (typeof (raw as { id?: unknown } | null)?.id === 'number' ? (raw as { id: number }).id : 0);
    try {
      if (!request) throw new ApictlError('APICTL_BAD_REQUEST', 'a request is an object {id, method, protocol, params}');
      if (request.protocol !== PROTOCOL_VERSION && !VERSIONLESS.has(request.method)) {
        throw new ApictlError(
          'APICTL_PROTOCOL_MISMATCH',
          `the running daemon (pid ${process.pid}) is from another apictl build (protocol ${PROTOCOL_VERSION}, this CLI speaks ${request.protocol})`,
          { hint: 'run `apictl update` to replace it with this build (services keep running)' },
        );
      }
      if (this.refusing && request.method !== 'ping') throw new ApictlError('APICTL_DAEMON_STOPPING', this.refusing, { hint: 'run the command again in a moment' });
      const handler = Object.hasOwn(this.handlers, request.method) ? this.handlers[request.method] : undefined;
      if (!handler) throw new ApictlError('APICTL_BAD_REQUEST', `unknown method "${request.method}"`);
      const params = typeof request.params === 'object' && request.params !== null && !Array.isArray(request.params) ? (request.params as Record<string, unknown>) : {};
      const result = await handler(params, { emit: (event, data) => send({ id, event, data } as { id: number }, true), closed });
      send({ id, ok: true, result } as { id: number }, false);
    } catch (error) {
      const payload = toErrorPayload(error);
      if (payload.code === 'APICTL_INTERNAL') this.logger.error({ err: error, method: request?.method }, 'request failed');
      send({ id, ok: false, error: payload } as { id: number }, false);
    }
  }
}

type Sender = (message: { id: number }, droppable: boolean) => boolean;

function isRequest(value: unknown): value is Request {
  const candidate = value as Partial<Request> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.id === 'number' && typeof candidate.method === 'string';
}

import type { Socket } from 'node:net';
import { ApictlError } from '../errors.js';
import { encodeMessage, NdjsonDecoder } from '../protocol/framing.js';
import { isEvent, PROTOCOL_VERSION, type ServerMessage } from '../protocol/messages.js';
import type { EventOf, MethodName, ParamsOf, ResultOf } from '../protocol/methods.js';

type EventListener = (message: { event: string; data: unknown }) => void;

export interface CallOptions<M extends MethodName = MethodName> {
  /** Gets what the method streams before its result (src/protocol/methods.ts). */
  onEvent?: (message: EventOf<M>) => void;
  /** How long the answer may take (default 30 s); null for a subscription that lasts until closed. */
  timeoutMs?: number | null;
  /** For the message when the deadline passes: "for auth to become ready". */
  waitingFor?: string;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onEvent?: EventListener;
  timer: NodeJS.Timeout | null;
}

export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
/** A long call checks the daemon still answers this often; two missed beats end it. */
const HEARTBEAT_MS = 5_000;

/** Typed calls over one connection to the daemon's socket, each with a deadline. */
export class DaemonClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private heartbeat: NodeJS.Timeout | null = null;
  private beatsMissed = 0;

  constructor(private readonly socket: Socket, private readonly daemonPid: number | null = null) {
    // Answers can be large (list of many services) but never endless.
    const decoder = new NdjsonDecoder(256 * 1024 * 1024);
    socket.on('data', (chunk) => {
      for (const message of decoder.push(chunk) as ServerMessage[]) this.receive(message);
    });
    socket.on('close', () =>
      this.failAll(
        new ApictlError('APICTL_DAEMON_GONE', 'the daemon closed the connection', {
          hint: 'check daemon.log in APICTL_HOME (`apictl logs --daemon`); the next command starts a new daemon if none runs',
        }),
      ),
    );
    socket.on('error', () => undefined);
  }

  /** One request of the wire contract (src/protocol/methods.ts), with a deadline. */
  call<M extends MethodName>(method: M, params: ParamsOf<M>, options: CallOptions<M> = {}): Promise<ResultOf<M>> {
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs === undefined ? DEFAULT_CALL_TIMEOUT_MS : options.timeoutMs;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      const timer =
        timeoutMs === null
          ? null
          : setTimeout(() => {
              this.pending.delete(id);
              reject(
                new ApictlError('APICTL_TIMEOUT', `no answer from the daemon${this.pidText()} within ${formatMs(timeoutMs)} ${options.waitingFor ?? `to \`${method}\``}`, {
                  hint: 'it may still be working on it: `apictl list` shows where things stand; `apictl logs --daemon` shows what it did',
                }),
              );
              this.settleHeartbeat();
            }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, onEvent: options.onEvent as EventListener | undefined, timer });
      this.socket.write(encodeMessage({ id, method, protocol: PROTOCOL_VERSION, params }));
      if (timeoutMs === null || timeoutMs > 2 * HEARTBEAT_MS) this.startHeartbeat();
    });
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.socket.end();
    this.socket.destroy();
  }

  /** While a long call waits, a ping every few seconds tells a busy daemon from a wedged one. */
  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      if (this.beatsMissed >= 2) {
        this.failAll(
          new ApictlError('APICTL_DAEMON_WEDGED', `the daemon${this.pidText()} stopped answering (no reply to two pings ${formatMs(HEARTBEAT_MS)} apart)`, {
            hint: 'see `apictl logs --daemon`; `kill -9` it and the next command starts a new one, which takes over the running services',
          }),
        );
        this.close();
        return;
      }
      this.beatsMissed++;
      const id = this.nextId++;
      this.pending.set(id, { resolve: () => (this.beatsMissed = 0), reject: () => undefined, timer: null });
      this.socket.write(encodeMessage({ id, method: 'ping', protocol: PROTOCOL_VERSION, params: {} }));
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private settleHeartbeat(): void {
    const waiting = [...this.pending.values()].some((pending) => pending.timer !== null || pending.onEvent);
    if (!waiting && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = null;
    }
  }

  private pidText(): string {
    return this.daemonPid ? ` (pid ${this.daemonPid})` : '';
  }

  private receive(message: ServerMessage): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (isEvent(message)) {
      pending.onEvent?.({ event: message.event, data: message.data });
      return;
    }
    this.pending.delete(message.id);
    if (pending.timer) clearTimeout(pending.timer);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(ApictlError.fromPayload(message.error));
    this.settleHeartbeat();
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) {
      if (pending.timer) clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

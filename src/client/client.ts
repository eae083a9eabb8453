import type { Socket } from 'node:net';
import { ApictlError } from '../errors.js';
import { encodeMessage, NdjsonDecoder } from '../protocol/framing.js';
import { isEvent, PROTOCOL_VERSION, type ServerMessage } from '../protocol/messages.js';
import type { EventOf, MethodName, ParamsOf, ResultOf } from '../protocol/methods.js';

type EventListener = (message: { event: string; data: unknown }) => void;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onEvent?: EventListener;
}

/** Typed calls over one connection to the daemon's socket. */
export class DaemonClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly socket: Socket) {
    const decoder = new NdjsonDecoder();
    socket.on('data', (chunk) => {
      for (const message of decoder.push(chunk) as ServerMessage[]) this.receive(message);
    });
    socket.on('close', () => this.failAll(new ApictlError('APICTL_DAEMON_GONE', 'the daemon closed the connection', {
      hint: 'check daemon.log in APICTL_HOME; the next command starts a new daemon',
    })));
    socket.on('error', () => undefined);
  }

  /** One request of the wire contract (src/protocol/methods.ts); `onEvent` gets what it streams before the result. */
  call<M extends MethodName>(method: M, params: ParamsOf<M>, onEvent?: (message: EventOf<M>) => void): Promise<ResultOf<M>> {
    const id = this.nextId++;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, onEvent: onEvent as EventListener | undefined });
      this.socket.write(encodeMessage({ id, method, protocol: PROTOCOL_VERSION, params }));
    });
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }

  private receive(message: ServerMessage): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (isEvent(message)) {
      pending.onEvent?.({ event: message.event, data: message.data });
      return;
    }
    this.pending.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(ApictlError.fromPayload(message.error));
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

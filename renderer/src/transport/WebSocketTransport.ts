import type { VeilEvent, VeilMethod } from '../../../app/contract/veilContract';
import { RemoteError } from '../../../app/contract/VeilClient';
import { MAX_FRAME_BYTES, ServerFrame } from '../../../app/contract/wire';
import { ConnectionLostError, ContractViolationError } from './transportErrors';
import type { ConnectionStatus, UiTransport } from './UiTransport';
import { validateOutput } from './validateOutput';

/** First and longest wait before reconnecting, in milliseconds. */
const RECONNECT_MIN_DELAY_MS = 500;
const RECONNECT_MAX_DELAY_MS = 8000;

interface PendingCall {
  readonly method: VeilMethod;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * The contract over `veil serve`'s WebSocket. The server authenticates the upgrade with the HttpOnly cookie it set
 * when the page was opened with `?token=`; this code never sees the token. It reconnects with backoff when the
 * connection drops; calls made while it is down fail at once with `ConnectionLostError` rather than hang.
 */
export class WebSocketTransport implements UiTransport {
  private socket: WebSocket | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, PendingCall>();
  private readonly queued: string[] = [];
  private readonly eventListeners = new Set<(event: VeilEvent) => void>();
  private readonly statusListeners = new Set<(status: ConnectionStatus) => void>();
  private readonly problemListeners = new Set<(error: Error) => void>();
  private reconnectDelay = RECONNECT_MIN_DELAY_MS;
  private currentStatus: ConnectionStatus = 'connecting';

  public constructor(private readonly url: string) {
    this.connect();
  }

  public get status(): ConnectionStatus {
    return this.currentStatus;
  }

  public async call(method: VeilMethod, input: unknown): Promise<unknown> {
    if (this.currentStatus === 'closed') {
      throw new ConnectionLostError(`${method}: not connected to Veil`);
    }
    const id = this.nextId++;
    const frame = JSON.stringify({ type: 'call', id, method, input });
    const result = new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { method, resolve, reject });
    });
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(frame);
    else this.queued.push(frame);
    return result;
  }

  public onEvent(listener: (event: VeilEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  public onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  public onProblem(listener: (error: Error) => void): () => void {
    this.problemListeners.add(listener);
    return () => this.problemListeners.delete(listener);
  }

  private connect(): void {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.reconnectDelay = RECONNECT_MIN_DELAY_MS;
      for (const frame of this.queued.splice(0)) socket.send(frame);
      this.setStatus('open');
    });
    socket.addEventListener('message', (message) => this.receive(message.data));
    socket.addEventListener('close', () => {
      this.socket = undefined;
      this.queued.length = 0;
      const lost = [...this.pending.values()];
      this.pending.clear();
      for (const call of lost) {
        call.reject(new ConnectionLostError(`${call.method}: the connection to Veil was lost`));
      }
      this.setStatus('closed');
      setTimeout(() => {
        this.setStatus('connecting');
        this.connect();
      }, this.reconnectDelay);
      this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_DELAY_MS);
    });
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string' || data.length > MAX_FRAME_BYTES) {
      this.reportProblem(
        new ContractViolationError('receive: dropped a frame that is not bounded JSON text'),
      );
      return;
    }
    let parsed: ServerFrame;
    try {
      parsed = ServerFrame.parse(JSON.parse(data));
    } catch {
      this.reportProblem(
        new ContractViolationError('receive: dropped a frame that does not match the contract'),
      );
      return;
    }
    if (parsed.type === 'event') {
      for (const listener of this.eventListeners) listener(parsed.event);
      return;
    }
    const call = this.pending.get(parsed.id);
    if (call === undefined) return;
    this.pending.delete(parsed.id);
    if (!parsed.ok) {
      call.reject(new RemoteError(parsed.error));
      return;
    }
    try {
      call.resolve(validateOutput(call.method, parsed.value));
    } catch (error) {
      call.reject(error as Error);
    }
  }

  private reportProblem(error: Error): void {
    for (const listener of this.problemListeners) listener(error);
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    for (const listener of this.statusListeners) listener(status);
  }
}

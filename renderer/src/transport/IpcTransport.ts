import { ErrorInfo } from '../../../app/contract/dto';
import { VeilEvent, type VeilMethod } from '../../../app/contract/veilContract';
import { RemoteError } from '../../../app/contract/VeilClient';
import { ContractViolationError } from './transportErrors';
import type { ConnectionStatus, UiTransport } from './UiTransport';
import { validateOutput } from './validateOutput';

/**
 * The Electron preload bridge (main/preload/buildPreloadApi.ts): one function per contract method
 * (`bridge.methods['chats.list'](input)`), answering with the `{ok, value} | {ok: false, error}` envelope, plus
 * `onEvent`, which returns its unsubscribe function.
 */
export interface VeilBridge {
  readonly methods: Readonly<Record<string, unknown>>;
  onEvent(listener: (event: unknown) => void): () => void;
}

export function isVeilBridge(value: unknown): value is VeilBridge {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { onEvent?: unknown }).onEvent === 'function' &&
    typeof (value as { methods?: unknown }).methods === 'object' &&
    (value as { methods?: unknown }).methods !== null
  );
}

/** The contract over Electron IPC. The connection cannot drop, so its status is always `open`. */
export class IpcTransport implements UiTransport {
  public readonly status: ConnectionStatus = 'open';
  private readonly eventListeners = new Set<(event: VeilEvent) => void>();
  private readonly problemListeners = new Set<(error: Error) => void>();

  public constructor(private readonly bridge: VeilBridge) {
    bridge.onEvent((raw) => {
      const parsed = VeilEvent.safeParse(raw);
      if (!parsed.success) {
        this.reportProblem(
          new ContractViolationError('onEvent: dropped an event that does not match the contract'),
        );
        return;
      }
      for (const listener of this.eventListeners) listener(parsed.data);
    });
  }

  public async call(method: VeilMethod, input: unknown): Promise<unknown> {
    const invoke = Object.hasOwn(this.bridge.methods, method) ? this.bridge.methods[method] : undefined;
    if (typeof invoke !== 'function') {
      throw new ContractViolationError(`${method}: the desktop bridge does not offer this method`);
    }
    const envelope: unknown = await (invoke as (input: unknown) => Promise<unknown>)(input);
    if (typeof envelope === 'object' && envelope !== null && 'ok' in envelope) {
      if (envelope.ok === true && 'value' in envelope) return validateOutput(method, envelope.value);
      if (envelope.ok === false && 'error' in envelope) {
        const info = ErrorInfo.safeParse(envelope.error);
        if (info.success) throw new RemoteError(info.data);
      }
    }
    throw new ContractViolationError(`${method}: the desktop bridge answered with an unexpected shape`);
  }

  public onEvent(listener: (event: VeilEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  public onStatus(): () => void {
    return () => undefined;
  }

  public onProblem(listener: (error: Error) => void): () => void {
    this.problemListeners.add(listener);
    return () => this.problemListeners.delete(listener);
  }

  private reportProblem(error: Error): void {
    for (const listener of this.problemListeners) listener(error);
  }
}

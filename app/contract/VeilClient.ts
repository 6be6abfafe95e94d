import type { ErrorInfo } from './dto';
import type { MethodInput, MethodOutput, VeilEvent, VeilMethod } from './veilContract';

/** What a transport (Electron preload bridge or WebSocket) must offer the UI. */
export interface VeilTransport {
  call(method: VeilMethod, input: unknown): Promise<unknown>;
  onEvent(listener: (event: VeilEvent) => void): () => void;
}

/** An error raised by the core, rebuilt from its `{name, message}` (on the UI side, or for the IPC layer to reduce). */
export class RemoteError extends Error {
  public constructor(info: ErrorInfo) {
    super(info.message);
    this.name = info.name;
  }
}

/** The UI's typed handle on the core, independent of the transport underneath. */
export class VeilClient {
  public constructor(private readonly transport: VeilTransport) {}

  public async call<M extends VeilMethod>(
    method: M,
    ...input: MethodInput<M> extends undefined ? [] : [MethodInput<M>]
  ): Promise<MethodOutput<M>> {
    return (await this.transport.call(method, input[0])) as MethodOutput<M>;
  }

  public onEvent(listener: (event: VeilEvent) => void): () => void {
    return this.transport.onEvent(listener);
  }
}

import type { VeilTransport } from '../../../app/contract/VeilClient';

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

/** A `VeilTransport` that also reports its connection state, so the UI can say when it is offline and reload after. */
export interface UiTransport extends VeilTransport {
  readonly status: ConnectionStatus;
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  /** Frames that failed validation and were dropped: reported so they are not silently ignored. */
  onProblem(listener: (error: Error) => void): () => void;
}

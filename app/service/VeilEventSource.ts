import type { VeilApi, VeilEvent } from '../contract/veilContract';

/** Where a transport subscribes to the events the core pushes (tokens, progress, changes). */
export interface VeilEventSource {
  /** Calls `listener` for every event until the returned function is called. */
  onEvent(listener: (event: VeilEvent) => void): () => void;
}

/** What a transport needs from the core: the contract's methods and its events. `VeilService` is one. */
export type VeilCore = VeilApi & VeilEventSource;

import { channelForMethod, VEIL_EVENT_CHANNEL } from '../ipc/channels';
import type { IpcResult } from '../ipc/IpcResult';

// Bundled into the single CommonJS preload file; it may import only type declarations and local code, since a
// sandboxed preload can `require` nothing but `electron` and a few Node shims.

/** The part of Electron's `ipcRenderer` the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** What the page sees as `window.veil`. */
export interface VeilPreloadApi {
  /**
   * One function per method, resolving with the call's `IpcResult` envelope. The page unwraps it (a failed call
   * becomes the contract's `RemoteError` with the same name): an Error thrown here would lose its name crossing
   * the contextBridge, which copies only the message.
   */
  readonly methods: Readonly<Record<string, (input?: unknown) => Promise<IpcResult>>>;
  /** Calls `listener` with each core event; returns the unsubscribe function. */
  onEvent(listener: (event: unknown) => void): () => void;
}

/**
 * Builds the bridge object: named methods only, each bound to its own `veil:<method>` channel, so the page can
 * never choose a channel. `ipcRenderer` and its event objects never reach the page.
 */
export function buildPreloadApi(
  ipcRenderer: IpcRendererLike,
  methodNames: readonly string[],
): VeilPreloadApi {
  const methods: Record<string, (input?: unknown) => Promise<IpcResult>> = {};
  for (const method of methodNames) {
    const channel = channelForMethod(method);
    // Exactly one argument travels, whatever the page passes.
    methods[method] = async (input?: unknown) => (await ipcRenderer.invoke(channel, input)) as IpcResult;
  }
  return Object.freeze({
    methods: Object.freeze(methods),
    onEvent(listener: (event: unknown) => void): () => void {
      const forward = (_event: unknown, payload: unknown) => listener(payload);
      ipcRenderer.on(VEIL_EVENT_CHANNEL, forward);
      return () => {
        ipcRenderer.removeListener(VEIL_EVENT_CHANNEL, forward);
      };
    },
  });
}

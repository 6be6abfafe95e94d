import type { ChatKeyProvider } from '../app/chats/ChatKeyProvider';
import type { VeilPaths } from '../app/config/veilPaths';
import { veilIpcHandlers } from '../app/service/dispatchCall';
import { openVeilCore } from '../app/service/openVeilCore';
import type { IpcHandlerMap } from './ipc/registerIpcHandlers';

/** What main needs from the running core: its IPC handlers, its events, and a way to stop it. */
export interface CoreHost {
  /** The contract's handlers, `veilIpcHandlers(core)` from app/service/dispatchCall.ts. */
  readonly handlers: IpcHandlerMap;
  /** Calls `listener` with every core event until the returned function is called. */
  onEvent(listener: (event: unknown) => void): () => void;
  /** Unloads models and closes stores. Idempotent. */
  dispose(): Promise<void>;
}

export interface StartCoreOptions {
  /** Where Veil keeps its data (`VEIL_HOME` or the platform default, shared with the CLI). */
  readonly paths: VeilPaths;
  /** Keychain-backed key for the chat store. */
  readonly chatKeyProvider: ChatKeyProvider;
  /** The app's version, shown by the UI. */
  readonly appVersion: string;
}

/**
 * THE single place where the Electron app starts the headless core. Called once, after `app.whenReady()` (the
 * engine's binary self-test uses `utilityProcess.fork`, which needs `ready`); node-llama-cpp then runs in this main
 * process, its supported mode. The core loads the engine lazily on first use and frees it in `dispose()`, which
 * main calls on `before-quit`.
 */
export async function startCore(options: StartCoreOptions): Promise<CoreHost> {
  const core = await openVeilCore({
    paths: options.paths,
    keyProvider: options.chatKeyProvider,
    appVersion: options.appVersion,
    mode: 'desktop',
  });
  return {
    handlers: veilIpcHandlers(core.service),
    onEvent: (listener) => core.service.onEvent(listener),
    dispose: core.dispose,
  };
}

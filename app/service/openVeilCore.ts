import type { ChatKeyProvider } from '../chats/ChatKeyProvider';
import { ChatStore } from '../chats/ChatStore';
import type { ChatKeyInfo } from '../contract/dto';
import type { VeilPaths } from '../config/veilPaths';
import type { Engine } from '../engine/Engine';
import { ModelLibrary } from '../models/ModelLibrary';
import { SettingsStore } from './SettingsStore';
import { VeilService } from './VeilService';

export interface OpenVeilCoreOptions {
  /** Where everything lives (`getVeilPaths()`); `VEIL_HOME` moves it. No default. */
  readonly paths: VeilPaths;
  /** Supplies the chat store's key: a key file headless, the OS keychain on the desktop. No default. */
  readonly keyProvider: ChatKeyProvider;
  readonly appVersion: string;
  /** Where the UI runs. No default. */
  readonly mode: 'desktop' | 'browser';
  /** A runtime the caller owns. Defaults to one the service creates on first use, with the settings' threads. */
  readonly engine?: Engine;
  /** What the UI shows about the chat key. Defaults to the key provider's own description. */
  readonly chatKeyInfo?: ChatKeyInfo;
}

/** The composed core and everything it was built from; `dispose` closes all of it. */
export interface VeilCoreHandle {
  readonly service: VeilService;
  readonly settings: SettingsStore;
  readonly library: ModelLibrary;
  readonly chatStore: ChatStore;
  /** Disposes the service, then the library, the chat store (flushing streamed text) and the settings. Idempotent. */
  dispose(): Promise<void>;
}

/**
 * Opens the settings, the model library (in the settings' models directory) and the chat store, and builds the
 * service on them. The composition root for `veil serve` and the Electron main process. A failure part-way closes
 * what was already opened.
 */
export async function openVeilCore(options: OpenVeilCoreOptions): Promise<VeilCoreHandle> {
  const { paths } = options;
  const settings = await SettingsStore.open({ configDir: paths.config, defaultModelsDir: paths.models });
  const library = new ModelLibrary({ modelsDir: settings.get().modelsDir, cacheDir: paths.cache });
  let chatStore: ChatStore;
  try {
    chatStore = await ChatStore.open({ dir: paths.chats, keyProvider: options.keyProvider });
  } catch (error) {
    await library.dispose();
    await settings.dispose();
    throw error;
  }
  const service = new VeilService({
    ...(options.engine === undefined ? {} : { engine: options.engine }),
    library,
    chatStore,
    settings,
    paths,
    appVersion: options.appVersion,
    mode: options.mode,
    ...(options.chatKeyInfo === undefined ? {} : { chatKeyInfo: options.chatKeyInfo }),
  });
  let disposing: Promise<void> | undefined;
  return {
    service,
    settings,
    library,
    chatStore,
    dispose: async () => {
      disposing ??= (async () => {
        await service.dispose();
        await library.dispose();
        await chatStore.dispose();
        await settings.dispose();
      })();
      await disposing;
    },
  };
}

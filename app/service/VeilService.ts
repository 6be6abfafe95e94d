import type { ChatStore } from '../chats/ChatStore';
import { ConversationNotFoundError } from '../chats/chatStoreErrors';
import { getActivePath } from '../chats/conversationTree';
import type { ChatMessage as StoredMessage, Conversation as StoredConversation } from '../chats/chatSchemas';
import type {
  CatalogEntry,
  ChatKeyInfo,
  Conversation,
  ConversationSummary,
  DownloadState,
  FitEstimate,
  ModelSummary,
  NetworkModel,
  ProviderStatus,
  SearchHit,
  Settings,
  SystemInfo,
} from '../contract/dto';
import type { MethodInput, MethodOutput, VeilApi, VeilEvent } from '../contract/veilContract';
import type { VeilPaths } from '../config/veilPaths';
import { Engine } from '../engine/Engine';
import type { ChatMessage as EngineMessage, GenerateResult } from '../engine/generationTypes';
import type { LoadedModel } from '../engine/LoadedModel';
import type { InstalledModel } from '../models/InstalledModel';
import type { ModelLibrary } from '../models/ModelLibrary';
import { toErrorInfo } from './dispatchCall';
import { DownloadManager } from './DownloadManager';
import {
  GenerationInProgressError,
  InvalidMessageTargetError,
  NetworkModelsUnavailableError,
  NoModelSelectedError,
  ServiceDisposedError,
} from './serviceErrors';
import type { SettingsStore } from './SettingsStore';
import {
  fromModelRefDto,
  fromSamplingDto,
  toCatalogEntryDto,
  toConversationDto,
  toConversationSummaryDto,
  toFitEstimateDto,
  toModelSummaryDto,
  toSamplingDto,
  toSearchHitDto,
} from './toDto';
import { TokenCoalescer } from './TokenCoalescer';
import type { VeilEventSource } from './VeilEventSource';

/** Models kept loaded at once; loading another unloads the least recently used idle one. */
export const MAX_LOADED_MODELS = 2;
/** Longest file name offered for an export. */
const MAX_EXPORT_FILE_NAME_LENGTH = 120;

export interface VeilServiceDependencies {
  /**
   * The llama.cpp runtime. When given, the caller owns it. Defaults to one created on first use (first model load,
   * fit estimate or system info) with the settings' thread count, owned and disposed by the service.
   */
  readonly engine?: Engine;
  /** Installed models and downloads. The caller owns it. */
  readonly library: ModelLibrary;
  /** The encrypted chat history. The caller owns it. */
  readonly chatStore: ChatStore;
  /** The user's settings. The caller owns it. */
  readonly settings: SettingsStore;
  readonly paths: VeilPaths;
  readonly appVersion: string;
  /** Where the UI runs: the desktop window or a browser served by `veil serve`. */
  readonly mode: 'desktop' | 'browser';
  /** Where the chat key lives, for the UI's warning. Defaults to the chat store's own key description. */
  readonly chatKeyInfo?: ChatKeyInfo;
  /** Gap between token events of one generation, in ms. Defaults to `DEFAULT_TOKEN_FLUSH_INTERVAL_MS` (16). */
  readonly tokenFlushIntervalMs?: number;
}

/** One reply being generated. */
interface Generation {
  readonly conversationId: string;
  readonly messageId: string;
  readonly controller: AbortController;
  /** The library id of the model it runs on, once known. */
  modelId: string | undefined;
  done: Promise<void>;
}

/** One loaded (or loading) model. */
interface ModelSlot {
  readonly modelId: string;
  readonly contextSize: number;
  readonly loading: Promise<LoadedModel>;
  /** Generations using it right now; an unload waits for none. */
  users: number;
  lastUsedAt: number;
}

/**
 * The core behind the UI contract, implemented once for every transport (Electron IPC, the `veil serve` WebSocket).
 * Chats stream their replies as `generation.token` events; local models load on demand into a small registry.
 */
export class VeilService implements VeilApi, VeilEventSource {
  private readonly listeners = new Set<(event: VeilEvent) => void>();
  private readonly generations = new Map<string, Generation>();
  private readonly models = new Map<string, ModelSlot>();
  private readonly downloads: DownloadManager;
  private readonly library: ModelLibrary;
  private readonly chats: ChatStore;
  private readonly settingsStore: SettingsStore;
  private enginePromise: Promise<Engine> | undefined;
  /** The thread setting the owned engine was created with. */
  private engineThreads: number | undefined;
  /** Counts engine starts, so a failed start only forgets itself, never a newer one. */
  private engineAttempts = 0;
  private readonly ownsEngine: boolean;
  private disposePromise: Promise<void> | undefined;
  private useCounter = 0;

  public constructor(private readonly deps: VeilServiceDependencies) {
    this.library = deps.library;
    this.chats = deps.chatStore;
    this.settingsStore = deps.settings;
    this.ownsEngine = deps.engine === undefined;
    if (deps.engine !== undefined) this.enginePromise = Promise.resolve(deps.engine);
    this.downloads = new DownloadManager({
      library: deps.library,
      onChange: (download) => this.emit({ type: 'download.progress', download }),
      onInstalled: () => this.emit({ type: 'models.changed' }),
    });
  }

  public onEvent(listener: (event: VeilEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  // ---- system and settings ----

  public async 'system.getInfo'(): Promise<SystemInfo> {
    this.assertOpen('system.getInfo');
    const info = await (await this.engine()).getSystemInfo();
    const key = this.deps.chatKeyInfo ?? this.chats.keyDescription;
    return {
      appVersion: this.deps.appVersion,
      mode: this.deps.mode,
      backend: info.backend,
      gpuNames: info.gpuDevices.slice(0, 16).map((name) => name.slice(0, 200)),
      threads: Math.max(1, info.threads),
      ramTotalBytes: info.ramTotalBytes,
      ramFreeBytes: info.ramFreeBytes,
      vramTotalBytes: info.vramTotalBytes,
      vramFreeBytes: info.vramFreeBytes,
      dataDir: this.deps.paths.home,
      chatKey: {
        kind: key.kind,
        protected: key.protected,
        ...(key.warning === undefined ? {} : { warning: key.warning }),
      },
    };
  }

  public async 'settings.get'(): Promise<Settings> {
    this.assertOpen('settings.get');
    return this.settingsStore.get();
  }

  public async 'settings.update'(input: MethodInput<'settings.update'>): Promise<Settings> {
    this.assertOpen('settings.update');
    return await this.settingsStore.update(input);
  }

  // ---- models ----

  public async 'models.list'(): Promise<ModelSummary[]> {
    this.assertOpen('models.list');
    const installed = await this.library.list();
    // A fit estimate only reads the GGUF header, but it needs the engine: never start llama.cpp just to list.
    const engine = this.enginePromise === undefined ? undefined : await this.enginePromise;
    const contextSize = this.settingsStore.get().contextSize;
    return await Promise.all(
      installed.map(async (model) => {
        const fit =
          engine === undefined || model.status !== 'ready'
            ? undefined
            : await this.tryEstimateFit(engine, model, contextSize);
        return toModelSummaryDto(model, this.models.has(model.id), fit);
      }),
    );
  }

  public async 'models.catalog'(): Promise<CatalogEntry[]> {
    this.assertOpen('models.catalog');
    return this.library.catalog().map(toCatalogEntryDto);
  }

  public async 'models.import'(input: MethodInput<'models.import'>): Promise<ModelSummary> {
    this.assertOpen('models.import');
    const model = await this.library.importFile(input.path, {
      mode: input.mode,
      ...(input.name === undefined ? {} : { name: input.name }),
    });
    this.emit({ type: 'models.changed' });
    return toModelSummaryDto(model, false);
  }

  public async 'models.remove'(input: MethodInput<'models.remove'>): Promise<null> {
    this.assertOpen('models.remove');
    const model = await this.library.get(input.id);
    await this.unloadModel(model.id);
    await this.library.remove(model.id);
    this.emit({ type: 'models.changed' });
    return null;
  }

  public async 'models.load'(input: MethodInput<'models.load'>): Promise<ModelSummary> {
    this.assertOpen('models.load');
    const model = await this.library.get(input.id);
    await this.acquireModel(model, input.contextSize);
    this.releaseModel(model.id);
    this.emit({ type: 'models.changed' });
    return toModelSummaryDto(model, true);
  }

  public async 'models.unload'(input: MethodInput<'models.unload'>): Promise<null> {
    this.assertOpen('models.unload');
    const model = await this.library.get(input.id);
    if (await this.unloadModel(model.id)) this.emit({ type: 'models.changed' });
    return null;
  }

  public async 'models.estimateFit'(input: MethodInput<'models.estimateFit'>): Promise<FitEstimate> {
    this.assertOpen('models.estimateFit');
    const model = await this.library.get(input.id);
    return await this.estimateFit(await this.engine(), model, input.contextSize);
  }

  // ---- downloads ----

  public async 'downloads.list'(): Promise<DownloadState[]> {
    this.assertOpen('downloads.list');
    return this.downloads.list();
  }

  public async 'downloads.start'(input: MethodInput<'downloads.start'>): Promise<DownloadState> {
    this.assertOpen('downloads.start');
    return this.downloads.start(input);
  }

  public async 'downloads.pause'(input: MethodInput<'downloads.pause'>): Promise<DownloadState> {
    this.assertOpen('downloads.pause');
    return await this.downloads.pause(input.id);
  }

  public async 'downloads.resume'(input: MethodInput<'downloads.resume'>): Promise<DownloadState> {
    this.assertOpen('downloads.resume');
    return this.downloads.resume(input.id);
  }

  public async 'downloads.cancel'(input: MethodInput<'downloads.cancel'>): Promise<DownloadState> {
    this.assertOpen('downloads.cancel');
    return await this.downloads.cancel(input.id);
  }

  // ---- chats ----

  public async 'chats.list'(): Promise<ConversationSummary[]> {
    this.assertOpen('chats.list');
    return this.chats.listConversations().map(toConversationSummaryDto);
  }

  public async 'chats.get'(input: MethodInput<'chats.get'>): Promise<Conversation> {
    this.assertOpen('chats.get');
    return this.conversationDto(input.id);
  }

  public async 'chats.create'(input: MethodInput<'chats.create'>): Promise<Conversation> {
    this.assertOpen('chats.create');
    const created = await this.chats.createConversation({
      ...(input.title === undefined ? {} : { title: input.title }),
      ...(input.systemPrompt === undefined ? {} : { systemPrompt: input.systemPrompt }),
      ...(input.modelRef === undefined ? {} : { modelRef: fromModelRefDto(input.modelRef) }),
      ...(input.sampling === undefined ? {} : { sampling: fromSamplingDto(input.sampling) }),
    });
    this.emit({ type: 'chats.changed', conversationId: created.id });
    return this.conversationDto(created.id);
  }

  public async 'chats.rename'(input: MethodInput<'chats.rename'>): Promise<ConversationSummary> {
    this.assertOpen('chats.rename');
    await this.chats.renameConversation(input.id, input.title);
    this.emit({ type: 'chats.changed', conversationId: input.id });
    return this.summaryDto(input.id);
  }

  public async 'chats.updateSettings'(input: MethodInput<'chats.updateSettings'>): Promise<Conversation> {
    this.assertOpen('chats.updateSettings');
    await this.chats.updateSettings(input.id, {
      ...(input.systemPrompt === undefined ? {} : { systemPrompt: input.systemPrompt }),
      ...(input.modelRef === undefined ? {} : { modelRef: fromModelRefDto(input.modelRef) }),
      ...(input.sampling === undefined ? {} : { sampling: fromSamplingDto(input.sampling) }),
    });
    this.emit({ type: 'chats.changed', conversationId: input.id });
    return this.conversationDto(input.id);
  }

  public async 'chats.delete'(input: MethodInput<'chats.delete'>): Promise<null> {
    this.assertOpen('chats.delete');
    const generation = this.generations.get(input.id);
    if (generation !== undefined) {
      generation.controller.abort();
      await generation.done;
    }
    await this.chats.deleteConversation(input.id);
    this.emit({ type: 'chats.changed', conversationId: input.id });
    return null;
  }

  public async 'chats.search'(input: MethodInput<'chats.search'>): Promise<SearchHit[]> {
    this.assertOpen('chats.search');
    const titles = new Map(this.chats.listConversations().map((summary) => [summary.id, summary.title]));
    return this.chats
      .search(input.query)
      .map((hit) => toSearchHitDto(hit, titles.get(hit.conversationId) ?? ''));
  }

  public async 'chats.exportMarkdown'(
    input: MethodInput<'chats.exportMarkdown'>,
  ): Promise<MethodOutput<'chats.exportMarkdown'>> {
    this.assertOpen('chats.exportMarkdown');
    await this.chats.flush(input.id);
    return { fileName: this.exportFileName(input.id, 'md'), content: this.chats.exportMarkdown(input.id) };
  }

  public async 'chats.exportJson'(
    input: MethodInput<'chats.exportJson'>,
  ): Promise<MethodOutput<'chats.exportJson'>> {
    this.assertOpen('chats.exportJson');
    await this.chats.flush(input.id);
    return { fileName: this.exportFileName(input.id, 'json'), content: this.chats.exportJson(input.id) };
  }

  public async 'chats.importJson'(input: MethodInput<'chats.importJson'>): Promise<ConversationSummary> {
    this.assertOpen('chats.importJson');
    const imported = await this.chats.importJson(input.content);
    this.emit({ type: 'chats.changed', conversationId: imported.id });
    return this.summaryDto(imported.id);
  }

  // ---- chat flow ----

  public async 'chat.send'(input: MethodInput<'chat.send'>): Promise<MethodOutput<'chat.send'>> {
    this.assertOpen('chat.send');
    const conversation = this.chats.getConversation(input.conversationId);
    const parentId = input.parentId ?? conversation.activeLeafId;
    if (parentId !== null) requireMessage('chat.send', conversation, parentId);
    return await this.startReply('chat.send', conversation, async () => {
      const user = await this.chats.addMessage(conversation.id, {
        parentId,
        role: 'user',
        content: input.content,
      });
      return { userMessageId: user.id, parentId: user.id };
    });
  }

  public async 'chat.regenerate'(
    input: MethodInput<'chat.regenerate'>,
  ): Promise<MethodOutput<'chat.regenerate'>> {
    this.assertOpen('chat.regenerate');
    const conversation = this.chats.getConversation(input.conversationId);
    const target = requireMessage('chat.regenerate', conversation, input.messageId);
    if (target.role !== 'assistant' || target.parentId === null) {
      throw new InvalidMessageTargetError(`chat.regenerate: message ${input.messageId} is not a reply`);
    }
    const parentId = target.parentId;
    const { assistantMessageId } = await this.startReply('chat.regenerate', conversation, async () => ({
      userMessageId: parentId,
      parentId,
    }));
    return { assistantMessageId };
  }

  public async 'chat.edit'(input: MethodInput<'chat.edit'>): Promise<MethodOutput<'chat.edit'>> {
    this.assertOpen('chat.edit');
    const conversation = this.chats.getConversation(input.conversationId);
    const target = requireMessage('chat.edit', conversation, input.messageId);
    if (target.role !== 'user') {
      throw new InvalidMessageTargetError(`chat.edit: message ${input.messageId} is not a user message`);
    }
    return await this.startReply('chat.edit', conversation, async () => {
      const user = await this.chats.addMessage(conversation.id, {
        parentId: target.parentId,
        role: 'user',
        content: input.content,
      });
      return { userMessageId: user.id, parentId: user.id };
    });
  }

  public async 'chat.stop'(input: MethodInput<'chat.stop'>): Promise<null> {
    this.assertOpen('chat.stop');
    // Stopping when nothing runs is not an error: the reply may have finished while the click travelled.
    this.generations.get(input.conversationId)?.controller.abort();
    return null;
  }

  public async 'chat.switchBranch'(input: MethodInput<'chat.switchBranch'>): Promise<Conversation> {
    this.assertOpen('chat.switchBranch');
    await this.chats.setActiveLeaf(input.conversationId, input.messageId);
    this.emit({ type: 'chats.changed', conversationId: input.conversationId });
    return this.conversationDto(input.conversationId);
  }

  // ---- later issues ----

  public async 'network.listModels'(): Promise<NetworkModel[]> {
    this.assertOpen('network.listModels');
    return [];
  }

  public async 'provider.getStatus'(): Promise<ProviderStatus> {
    this.assertOpen('provider.getStatus');
    return {
      state: 'off',
      jobsServed: 0,
      earnedCredits: 0,
      reason: 'Provider mode arrives in a later release',
    };
  }

  /**
   * Stops every generation and download (part files are kept), unloads every model and, when the service created the
   * engine, disposes it. The library, chat store and settings stay open: the caller owns them. Idempotent.
   */
  public async dispose(): Promise<void> {
    this.disposePromise ??= this.disposeOnce();
    await this.disposePromise;
  }

  private async disposeOnce(): Promise<void> {
    for (const generation of this.generations.values()) generation.controller.abort();
    await Promise.allSettled([...this.generations.values()].map(async (generation) => await generation.done));
    await this.downloads.dispose();
    await Promise.allSettled([...this.models.keys()].map(async (id) => await this.unloadModel(id)));
    if (this.ownsEngine && this.enginePromise !== undefined) {
      await disposeQuietly(this.enginePromise);
    }
    this.listeners.clear();
  }

  /**
   * Reserves the conversation's one generation slot before anything is written, checks that a reply can be
   * generated at all, lets `addMessages` add the user message (if any), adds the empty reply and starts generating
   * in the background.
   */
  private async startReply(
    operation: string,
    conversation: StoredConversation,
    addMessages: () => Promise<{ userMessageId: string; parentId: string }>,
  ): Promise<{ userMessageId: string; assistantMessageId: string }> {
    const conversationId = conversation.id;
    if (this.generations.has(conversationId)) {
      throw new GenerationInProgressError(
        `${operation}: a reply is already being generated in conversation ${conversationId}; stop it first`,
      );
    }
    const controller = new AbortController();
    const generation: Generation = {
      conversationId,
      messageId: '',
      controller,
      modelId: undefined,
      done: Promise.resolve(),
    };
    // Reserved synchronously, so two sends racing on one conversation cannot both pass the check above.
    this.generations.set(conversationId, generation);
    try {
      const model = await this.resolveConversationModel(operation, conversation);
      const { userMessageId, parentId } = await addMessages();
      const assistant = await this.chats.addMessage(conversationId, {
        parentId,
        role: 'assistant',
        content: '',
        modelRef: { kind: 'local', id: model.id },
      });
      const running: Generation = { ...generation, messageId: assistant.id, modelId: model.id };
      this.generations.set(conversationId, running);
      running.done = this.generate(running, model);
      this.emit({ type: 'chats.changed', conversationId });
      return { userMessageId, assistantMessageId: assistant.id };
    } catch (error) {
      if (this.generations.get(conversationId) === generation) this.generations.delete(conversationId);
      throw error;
    }
  }

  private async resolveConversationModel(
    operation: string,
    conversation: StoredConversation,
  ): Promise<InstalledModel> {
    const ref = conversation.modelRef;
    if (ref === undefined) {
      throw new NoModelSelectedError(
        `${operation}: conversation ${conversation.id} has no model; choose one first`,
      );
    }
    switch (ref.kind) {
      case 'network':
        throw new NetworkModelsUnavailableError(
          `${operation}: network models arrive with the requester issue; choose a local model`,
        );
      case 'local':
        return await this.library.get(ref.id);
    }
  }

  /** Runs one reply to its end. Never rejects: every outcome ends in a `generation.finished` event. */
  private async generate(generation: Generation, model: InstalledModel): Promise<void> {
    const { conversationId, messageId, controller } = generation;
    const coalescer = new TokenCoalescer(
      (text) => this.emit({ type: 'generation.token', conversationId, messageId, text }),
      this.deps.tokenFlushIntervalMs,
    );
    let result: GenerateResult;
    let acquired = false;
    try {
      const loaded = await this.acquireModel(model);
      acquired = true;
      const conversation = this.chats.getConversation(conversationId);
      const sampling = toSamplingDto(conversation.sampling);
      result = await loaded.generate(
        {
          messages: promptMessages(conversation, messageId),
          maxTokens: sampling.maxTokens,
          temperature: sampling.temperature,
          topP: sampling.topP,
          topK: sampling.topK,
          repeatPenalty: sampling.repeatPenalty,
          ...(sampling.seed === undefined ? {} : { seed: sampling.seed }),
        },
        {
          signal: controller.signal,
          onToken: (token) => {
            // Reasoning segments are not part of the answer the user sees or the store keeps.
            if (token.segment !== undefined) return;
            // In memory at once; the store checkpoints streamed text to disk every couple of seconds.
            this.chats.appendToMessage(conversationId, messageId, token.text);
            coalescer.push(token.text);
          },
        },
      );
    } catch (error) {
      result = {
        text: this.currentContent(conversationId, messageId),
        finishReason: controller.signal.aborted ? 'aborted' : 'error',
        promptTokens: 0,
        completionTokens: 0,
        ...(controller.signal.aborted ? {} : { error: toErrorInfo(error, 'generate') }),
      };
    } finally {
      if (acquired) this.releaseModel(model.id);
    }
    coalescer.flush();
    try {
      await this.chats.updateMessage(conversationId, messageId, {
        content: result.text,
        finishReason: result.finishReason,
        promptTokens: result.promptTokens,
        completionTokens: result.completionTokens,
        ...(result.error === undefined ? {} : { error: result.error }),
      });
    } catch {
      // The conversation was deleted (or the store closed) meanwhile: nothing left to record the reply in.
    }
    this.generations.delete(conversationId);
    this.emit({
      type: 'generation.finished',
      conversationId,
      messageId,
      finishReason: result.finishReason,
      promptTokens: result.promptTokens,
      completionTokens: result.completionTokens,
      ...(result.error === undefined ? {} : { error: result.error }),
    });
    this.emit({ type: 'chats.changed', conversationId });
  }

  private currentContent(conversationId: string, messageId: string): string {
    try {
      return (
        this.chats.getConversation(conversationId).messages.find((m) => m.id === messageId)?.content ?? ''
      );
    } catch {
      return '';
    }
  }

  /**
   * The loaded model for `model`, loading it if needed (with the settings' context size and GPU offload), and counts
   * one more user. A model loaded at another context size is reloaded when idle. Pair with `releaseModel`.
   */
  private async acquireModel(model: InstalledModel, contextSize?: number): Promise<LoadedModel> {
    const wanted = contextSize ?? this.settingsStore.get().contextSize;
    let slot = this.models.get(model.id);
    if (
      slot !== undefined &&
      contextSize !== undefined &&
      slot.contextSize !== contextSize &&
      slot.users === 0
    ) {
      await this.unloadModel(model.id);
      slot = undefined;
    }
    if (slot === undefined) {
      await this.evictIdleModels(MAX_LOADED_MODELS - 1);
      const engine = await this.engine();
      const loading = engine.loadModel({
        modelPath: model.path,
        contextSize: wanted,
        gpuLayers: this.gpuLayers(),
      });
      slot = { modelId: model.id, contextSize: wanted, loading, users: 0, lastUsedAt: 0 };
      this.models.set(model.id, slot);
    }
    slot.users += 1;
    slot.lastUsedAt = ++this.useCounter;
    try {
      return await slot.loading;
    } catch (error) {
      slot.users -= 1;
      if (this.models.get(model.id) === slot) this.models.delete(model.id);
      throw error;
    }
  }

  private releaseModel(modelId: string): void {
    const slot = this.models.get(modelId);
    if (slot !== undefined) slot.users = Math.max(0, slot.users - 1);
  }

  /** Unloads least recently used idle models until at most `keep` remain. */
  private async evictIdleModels(keep: number): Promise<void> {
    const pending = new Set([...this.generations.values()].map((generation) => generation.modelId));
    const idle = [...this.models.values()]
      .filter((slot) => slot.users === 0 && !pending.has(slot.modelId))
      .sort((a, b) => a.lastUsedAt - b.lastUsedAt);
    let excess = this.models.size - keep;
    for (const slot of idle) {
      if (excess <= 0) break;
      await this.unloadModel(slot.modelId);
      excess -= 1;
    }
  }

  /** Stops the generations running on the model, then frees it. Returns whether it was loaded. */
  private async unloadModel(modelId: string): Promise<boolean> {
    const slot = this.models.get(modelId);
    if (slot === undefined) return false;
    const users = [...this.generations.values()].filter((generation) => generation.modelId === modelId);
    for (const generation of users) generation.controller.abort();
    await Promise.allSettled(users.map(async (generation) => await generation.done));
    this.models.delete(modelId);
    let loaded: LoadedModel;
    try {
      loaded = await slot.loading;
    } catch {
      return true; // It never finished loading, so there is nothing to free.
    }
    await loaded.dispose();
    return true;
  }

  /**
   * The engine, created on first use with the settings' thread count. An engine the service owns is recreated when
   * the thread setting changed and no model is loaded, so a new thread count applies at the next load.
   */
  private async engine(): Promise<Engine> {
    const threads = this.settingsStore.get().threads;
    const stale =
      this.ownsEngine &&
      this.enginePromise !== undefined &&
      this.engineThreads !== threads &&
      this.models.size === 0
        ? this.enginePromise
        : undefined;
    if (this.enginePromise === undefined || stale !== undefined) {
      this.engineThreads = threads;
      const attempt = ++this.engineAttempts;
      this.enginePromise = (async () => {
        try {
          if (stale !== undefined) await disposeQuietly(stale);
          return await Engine.create(threads === 0 ? {} : { threads });
        } catch (error) {
          // A failed start (no usable backend) is reported, and the next call tries again.
          if (this.engineAttempts === attempt) this.enginePromise = undefined;
          throw error;
        }
      })();
    }
    return await this.enginePromise;
  }

  private gpuLayers(): 'auto' | number {
    const offload = this.settingsStore.get().gpuOffload;
    if (offload === 'auto') return 'auto';
    if (offload === 'off') return 0;
    return offload;
  }

  private async estimateFit(
    engine: Engine,
    model: InstalledModel,
    contextSize: number,
  ): Promise<FitEstimate> {
    return toFitEstimateDto(
      await engine.estimateFit(model.path, { contextSize, gpuLayers: this.gpuLayers() }),
    );
  }

  private async tryEstimateFit(
    engine: Engine,
    model: InstalledModel,
    contextSize: number,
  ): Promise<FitEstimate | undefined> {
    try {
      return await this.estimateFit(engine, model, contextSize);
    } catch {
      return undefined; // The list still shows the model; loading it reports the real problem.
    }
  }

  private conversationDto(conversationId: string): Conversation {
    const generation = this.generations.get(conversationId);
    return toConversationDto(this.chats.getConversation(conversationId), {
      ...(generation === undefined || generation.messageId === ''
        ? {}
        : { generatingMessageId: generation.messageId }),
    });
  }

  private summaryDto(conversationId: string): ConversationSummary {
    const summary = this.chats.listConversations().find((candidate) => candidate.id === conversationId);
    if (summary === undefined) {
      throw new ConversationNotFoundError(`getConversation: no conversation with id ${conversationId}`);
    }
    return toConversationSummaryDto(summary);
  }

  private exportFileName(conversationId: string, extension: string): string {
    const title = this.chats.getConversation(conversationId).title;
    const slug = title
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, MAX_EXPORT_FILE_NAME_LENGTH)
      .toLowerCase();
    return `${slug === '' ? 'conversation' : slug}-${conversationId.slice(0, 8)}.${extension}`;
  }

  private emit(event: VeilEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken transport must not stop the others (or the generation) from receiving events.
      }
    }
  }

  private assertOpen(operation: string): void {
    if (this.disposePromise !== undefined)
      throw new ServiceDisposedError(`${operation}: the service was disposed`);
  }
}

/** Disposes an engine that may never have started; a failed start leaves nothing to free. */
async function disposeQuietly(engine: Promise<Engine>): Promise<void> {
  let started: Engine;
  try {
    started = await engine;
  } catch {
    return;
  }
  await started.dispose();
}

function requireMessage(
  operation: string,
  conversation: StoredConversation,
  messageId: string,
): StoredMessage {
  const message = conversation.messages.find((candidate) => candidate.id === messageId);
  if (message === undefined) {
    throw new InvalidMessageTargetError(
      `${operation}: message ${messageId} is not in conversation ${conversation.id}`,
    );
  }
  return message;
}

/** The system prompt and the branch ending just above the reply being generated, as the engine takes them. */
function promptMessages(conversation: StoredConversation, replyId: string): EngineMessage[] {
  const reply = conversation.messages.find((message) => message.id === replyId);
  const branch = getActivePath({ messages: conversation.messages, activeLeafId: reply?.parentId ?? null });
  const messages: EngineMessage[] = branch.map((message) => ({
    role: message.role,
    content: message.content,
  }));
  return conversation.systemPrompt === ''
    ? messages
    : [{ role: 'system', content: conversation.systemPrompt }, ...messages];
}

import { basename } from 'node:path';
import { LlamaChat, resolveChatWrapper } from 'node-llama-cpp';
import type {
  ChatHistoryItem,
  ChatWrapper,
  Llama,
  LlamaChatResponseChunk,
  LlamaContext,
  LlamaContextSequence,
  LlamaModel,
} from 'node-llama-cpp';
import { missingCaseError } from '../errors/missingCaseError';
import { toErrorMessage } from '../errors/toErrorMessage';
import { awaitUnlessAborted } from './awaitUnlessAborted';
import {
  InvalidGenerateRequestError,
  ModelDisposedError,
  ModelLoadAbortedError,
  ModelLoadError,
} from './engineErrors';
import type { LoadedModelInfo } from './engineTypes';
import { GenerateRequest } from './generationTypes';
import type {
  ChatMessage,
  FinishReason,
  GenerateOptions,
  GenerateResult,
  TokenEvent,
} from './generationTypes';
import type { ModelFileHeader } from './inspectModelFile';
import { SequencePool } from './SequencePool';
import { describeZodIssues } from '../errors/describeZodIssues';
import { toChatHistory } from './toChatHistory';
import { toFinishReason } from './toFinishReason';

/** Share of the progress bar given to loading weights; creating the context (KV cache) takes the rest. */
const WEIGHTS_PROGRESS_SHARE = 0.95;

/** One context sequence and what it last held (to route a conversation back to its cached prefix). */
interface Slot {
  readonly sequence: LlamaContextSequence;
  lastMessages: readonly ChatMessage[];
}

export interface LoadModelParams {
  llama: Llama;
  modelPath: string;
  header: ModelFileHeader;
  contextSize: number;
  sequences: number;
  gpuLayers: number;
  onProgress: ((fraction: number) => void) | undefined;
  signal: AbortSignal | undefined;
  /** Called once the model has released its memory, so the engine forgets it. */
  onDisposed: (model: LoadedModel) => void;
  /** Receives the cleanup of a load cancelled midway, which must finish before the runtime is disposed. */
  onAbandoned: (cleanup: Promise<void>) => void;
}

/**
 * A model loaded into memory with one context of N sequences, serving up to N generations at once; more wait in
 * FIFO order. Each `generate` is stateless (it carries the whole history), so any number of conversations can share
 * the model; a conversation that comes back usually lands on the sequence that still caches its prefix, and
 * node-llama-cpp then evaluates only the new tokens.
 */
export class LoadedModel {
  public readonly info: LoadedModelInfo;
  readonly #model: LlamaModel;
  readonly #context: LlamaContext;
  readonly #chatWrapper: ChatWrapper;
  readonly #pool: SequencePool<Slot>;
  readonly #active = new Set<AbortController>();
  readonly #inFlight = new Set<Promise<GenerateResult>>();
  readonly #onDisposed: (model: LoadedModel) => void;
  #disposed = false;
  #disposePromise: Promise<void> | undefined;

  private constructor(
    info: LoadedModelInfo,
    model: LlamaModel,
    context: LlamaContext,
    chatWrapper: ChatWrapper,
    onDisposed: (model: LoadedModel) => void,
  ) {
    this.info = info;
    this.#model = model;
    this.#context = context;
    this.#chatWrapper = chatWrapper;
    this.#onDisposed = onDisposed;
    const slots: Slot[] = [];
    for (let index = 0; index < context.totalSequences; index += 1)
      slots.push({ sequence: context.getSequence(), lastMessages: [] });
    this.#pool = new SequencePool(slots);
  }

  /**
   * Loads weights and creates the context. Used by `Engine.loadModel`, which checks the file and memory first.
   *
   * Cancellation does not go through node-llama-cpp's `loadSignal`/`createSignal`: in 3.21.1 their abort paths drop
   * the half-built model or context without disposing it, so its dispose guard on the `Llama` is released only if
   * `llama.dispose()` finds it still reachable; once garbage-collected, `llama.dispose()` waits forever (seen here in
   * about one test run in four). Instead an abort rejects at once and the load finishes in the background, where
   * `onAbandoned` gets the cleanup to await (the engine waits for it before disposing the runtime).
   */
  public static async load(params: LoadModelParams): Promise<LoadedModel> {
    const { llama, modelPath, header, signal, onProgress } = params;
    let reported = 0;
    const report = (fraction: number): void => {
      // node-llama-cpp reports layer resolution and then weights; keep the caller's bar monotonic.
      if (fraction <= reported || signal?.aborted === true) return;
      reported = fraction;
      onProgress?.(fraction);
    };

    const loading = (async (): Promise<{ model: LlamaModel; context: LlamaContext }> => {
      const model = await llama.loadModel({
        modelPath,
        gpuLayers: params.gpuLayers,
        onLoadProgress: (progress) => report(progress * WEIGHTS_PROGRESS_SHARE),
      });
      try {
        const context = await model.createContext({
          contextSize: params.contextSize,
          sequences: params.sequences,
          // The caller asked for this exact size; a silently smaller context would surprise it later.
          failedCreationRemedy: false,
        });
        return { model, context };
      } catch (error) {
        await model.dispose();
        throw new ModelLoadError(
          `loadModel: could not create a ${params.contextSize}-token context (${toErrorMessage(error)})`,
          { cause: error },
        );
      }
    })();

    const outcome = await awaitUnlessAborted(loading, signal);
    switch (outcome.kind) {
      case 'aborted':
        params.onAbandoned(disposeWhenLoaded(loading));
        throw new ModelLoadAbortedError('loadModel: cancelled', { cause: signal?.reason });
      case 'error':
        if (outcome.error instanceof ModelLoadError) throw outcome.error;
        throw new ModelLoadError(
          `loadModel: llama.cpp could not load the weights of ${basename(modelPath)} (${toErrorMessage(outcome.error)})`,
          { cause: outcome.error },
        );
      case 'value':
        break;
      default:
        throw missingCaseError(outcome);
    }

    const { model, context } = outcome.value;
    const chatWrapper = resolveChatWrapper(model);
    const info: LoadedModelInfo = {
      path: modelPath,
      architecture: header.architecture,
      trainContextSize: header.trainContextSize,
      contextSize: context.contextSize,
      sequences: context.totalSequences,
      gpuLayers: model.gpuLayers,
      sizeBytes: model.size,
      chatWrapper: chatWrapper.wrapperName,
    };
    const loaded = new LoadedModel(info, model, context, chatWrapper, params.onDisposed);
    report(1);
    return loaded;
  }

  public get disposed(): boolean {
    return this.#disposed;
  }

  /** Generations waiting for a free sequence. */
  public get queued(): number {
    return this.#pool.waiting;
  }

  /**
   * The node-llama-cpp objects behind this model, for diagnostics and tests. Never dispose them or take sequences
   * from the context: the model owns them.
   */
  public get native(): { readonly model: LlamaModel; readonly context: LlamaContext } {
    return { model: this.#model, context: this.#context };
  }

  /**
   * Generates the assistant's answer to `request.messages`. Resolves (never rejects) once generation ends, whatever
   * the reason; rejects only for a malformed request (`InvalidGenerateRequestError`) or a disposed model
   * (`ModelDisposedError`).
   */
  public async generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
    this.#assertNotDisposed('generate');
    const parsed = GenerateRequest.safeParse(request);
    if (!parsed.success)
      throw new InvalidGenerateRequestError(
        `generate: invalid request (${describeZodIssues(parsed.error, 'request')})`,
      );
    const run = this.#run(parsed.data, options);
    this.#inFlight.add(run);
    try {
      return await run;
    } finally {
      this.#inFlight.delete(run);
    }
  }

  /**
   * `generate` as an async iterator: yields each chunk and returns the result. Leaving the loop early (break,
   * return, throw) aborts the generation.
   */
  public async *stream(
    request: GenerateRequest,
    options: Pick<GenerateOptions, 'signal'> = {},
  ): AsyncGenerator<TokenEvent, GenerateResult, undefined> {
    const controller = new AbortController();
    const forwardAbort = (): void => controller.abort(options.signal?.reason);
    if (options.signal?.aborted === true) forwardAbort();
    else options.signal?.addEventListener('abort', forwardAbort, { once: true });

    const pending: TokenEvent[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    const run = (async (): Promise<GenerateResult> => {
      try {
        return await this.generate(request, {
          signal: controller.signal,
          onToken: (event) => {
            pending.push(event);
            wake?.();
          },
        });
      } finally {
        finished = true;
        wake?.();
      }
    })();

    try {
      while (true) {
        const event = pending.shift();
        if (event !== undefined) {
          yield event;
          continue;
        }
        if (finished) return await run;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      options.signal?.removeEventListener('abort', forwardAbort);
      if (!finished) {
        controller.abort();
        await run;
      }
    }
  }

  /** Tokens `text` takes as plain text (special-token markup is not interpreted). */
  public countTokens(text: string): number {
    this.#assertNotDisposed('countTokens');
    return this.#model.tokenize(text, false).length;
  }

  /** Tokens of the prompt `generate` would evaluate for these messages (chat template applied). */
  public countPromptTokens(messages: readonly ChatMessage[]): number {
    this.#assertNotDisposed('countPromptTokens');
    return this.#countHistoryTokens(toChatHistory(messages));
  }

  /**
   * Stops every generation (they resolve with finishReason `error`, `ModelDisposedError`), rejects queued ones, then
   * frees the context and the weights. Idempotent; every call returns the same promise.
   */
  public dispose(): Promise<void> {
    this.#disposePromise ??= this.#disposeOnce();
    return this.#disposePromise;
  }

  async #disposeOnce(): Promise<void> {
    this.#disposed = true;
    const reason = new ModelDisposedError('generate: the model was unloaded');
    this.#pool.close(reason);
    for (const controller of this.#active) controller.abort(reason);
    await Promise.allSettled([...this.#inFlight]);
    await this.#context.dispose();
    await this.#model.dispose();
    this.#onDisposed(this);
  }

  async #run(request: GenerateRequest, options: GenerateOptions): Promise<GenerateResult> {
    const controller = new AbortController();
    const userSignal = options.signal;
    const forwardAbort = (): void => controller.abort(userSignal?.reason);
    if (userSignal?.aborted === true) forwardAbort();
    else userSignal?.addEventListener('abort', forwardAbort, { once: true });
    this.#active.add(controller);

    const history = toChatHistory(request.messages);
    const onToken = options.onToken;
    const answerChunks: string[] = [];
    let completionTokens = 0;
    let consumerFailure: unknown;
    const onResponseChunk = (chunk: LlamaChatResponseChunk): void => {
      // node-llama-cpp notices the abort only after the token in flight; the caller must not see that token.
      if (controller.signal.aborted) return;
      const tokenCount = chunk.tokens.length;
      if (tokenCount === 0 && chunk.text === '') return;
      completionTokens += tokenCount;
      if (chunk.type === undefined) answerChunks.push(chunk.text);
      try {
        onToken?.(
          chunk.type === undefined
            ? { text: chunk.text, tokenCount }
            : { text: chunk.text, tokenCount, segment: chunk.segmentType },
        );
      } catch (error) {
        // node-llama-cpp would swallow it; a consumer that cannot take more output ends the generation instead.
        consumerFailure = error;
        controller.abort(error);
      }
    };

    let slot: Slot | undefined;
    let chat: LlamaChat | undefined;
    let text: string;
    let finishReason: FinishReason;
    let failure: unknown;
    try {
      slot = await this.#pool.acquire(controller.signal, (candidate) =>
        sharedPrefixLength(candidate.lastMessages, request.messages),
      );
      // A fresh LlamaChat per generation: reusing one across generations measured ~5% slower decoding than
      // LlamaChatSession (which also builds a new one per prompt); the sequence, and so the KV prefix, is kept.
      chat = new LlamaChat({ contextSequence: slot.sequence, chatWrapper: this.#chatWrapper });
      const response = await chat.generateResponse(history, {
        signal: controller.signal,
        stopOnAbortSignal: true,
        onResponseChunk,
        maxTokens: request.maxTokens ?? this.info.contextSize,
        temperature: request.temperature ?? 0,
        topP: request.topP,
        topK: request.topK,
        seed: request.seed,
        repeatPenalty: request.repeatPenalty === undefined ? undefined : { penalty: request.repeatPenalty },
        customStopTriggers: request.stop,
      });
      finishReason = toFinishReason(response.metadata.stopReason);
      text = finishReason === 'aborted' ? answerChunks.join('') : response.response;
    } catch (error) {
      text = answerChunks.join('');
      finishReason = controller.signal.aborted ? 'aborted' : 'error';
      failure = error;
    } finally {
      chat?.dispose({ disposeSequence: false });
      userSignal?.removeEventListener('abort', forwardAbort);
      this.#active.delete(controller);
    }

    // An abort has three possible sources: the caller, the consumer's callback throwing, or dispose().
    if (finishReason === 'aborted') {
      const reason: unknown = controller.signal.reason;
      if (consumerFailure !== undefined) {
        finishReason = 'error';
        failure = consumerFailure;
      } else if (reason instanceof ModelDisposedError) {
        finishReason = 'error';
        failure = new ModelDisposedError('generate: the model was unloaded during generation');
      } else {
        failure = undefined;
      }
    }

    if (slot !== undefined) {
      slot.lastMessages =
        finishReason === 'error' ? [] : [...request.messages, { role: 'assistant', content: text }];
      this.#pool.release(slot);
    }
    const result: GenerateResult = {
      text,
      finishReason,
      promptTokens: this.#disposed ? 0 : this.#countHistoryTokens(history),
      completionTokens,
    };
    if (failure !== undefined) result.error = toErrorInfo(failure);
    return result;
  }

  #countHistoryTokens(history: ChatHistoryItem[]): number {
    const { contextText } = this.#chatWrapper.generateContextState({ chatHistory: history });
    return contextText.tokenize(this.#model.tokenizer).length;
  }

  #assertNotDisposed(operation: string): void {
    if (this.#disposed) throw new ModelDisposedError(`${operation}: the model was unloaded`);
  }
}

/** How many leading messages two conversations share. */
function sharedPrefixLength(a: readonly ChatMessage[], b: readonly ChatMessage[]): number {
  const length = Math.min(a.length, b.length);
  let index = 0;
  while (index < length && a[index]?.role === b[index]?.role && a[index]?.content === b[index]?.content)
    index += 1;
  return index;
}

function toErrorInfo(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: toErrorMessage(error) };
}

/** Frees a load the caller abandoned, once it completes; a failed load has nothing left to free. */
async function disposeWhenLoaded(loading: Promise<{ model: LlamaModel }>): Promise<void> {
  try {
    const { model } = await loading;
    await model.dispose();
  } catch {
    // The load failed after the caller left; its error has no one to go to.
  }
}

import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import type { Llama } from 'node-llama-cpp';
import { z } from 'zod';
import { toErrorMessage } from '../errors/toErrorMessage';
import {
  BackendUnavailableError,
  EngineDisposedError,
  InsufficientMemoryError,
  InvalidEngineOptionsError,
  ModelLoadAbortedError,
} from './engineErrors';
import type {
  EngineBackend,
  EngineLogLevel,
  EngineOptions,
  FitEstimate,
  FitOptions,
  LoadModelOptions,
  SystemInfo,
} from './engineTypes';
import { estimateModelFit } from './estimateModelFit';
import type { ResolvedFitOptions } from './estimateModelFit';
import { formatBytes } from '../util/formatBytes';
import { inspectModelFile } from './inspectModelFile';
import type { ModelFileHeader } from './inspectModelFile';
import { LoadedModel } from './LoadedModel';
import { resolveBackend, toEngineBackend } from './resolveBackend';
import { describeZodIssues } from '../errors/describeZodIssues';

/** Largest context per sequence a load defaults to; longer contexts cost KV memory most chats never use. */
export const DEFAULT_MAX_CONTEXT_SIZE = 4096;

/**
 * Sequences (parallel generations) per loaded model unless the caller says otherwise: one for the conversation on
 * screen and one for whatever runs beside it (a second chat, a title, a provider request). Each sequence costs a
 * full context of KV cache (an 8B Llama 3 at 4096 tokens: 512 MiB each), so a bigger default would double the
 * memory of every load for concurrency most sessions never use; the provider passes its own count.
 */
export const DEFAULT_SEQUENCES = 2;

/** Upper bound on sequences, far above any sensible use, so a typo cannot ask for a terabyte of KV cache. */
const MAX_SEQUENCES = 64;

const EngineOptionsSchema = z.object({
  backend: z.enum(['auto', 'metal', 'cuda', 'vulkan', 'cpu']).optional(),
  threads: z.number().int().min(1).max(1024).optional(),
  logLevel: z.enum(['disabled', 'fatal', 'error', 'warn', 'info', 'log', 'debug']).optional(),
});

const FitOptionsSchema = z.object({
  contextSize: z.number().int().min(1).optional(),
  sequences: z.number().int().min(1).max(MAX_SEQUENCES).optional(),
  gpuLayers: z.union([z.literal('auto'), z.number().int().min(0)]).optional(),
});

const LOG_LEVELS: Readonly<Record<EngineLogLevel, LlamaLogLevel>> = {
  disabled: LlamaLogLevel.disabled,
  fatal: LlamaLogLevel.fatal,
  error: LlamaLogLevel.error,
  warn: LlamaLogLevel.warn,
  info: LlamaLogLevel.info,
  log: LlamaLogLevel.log,
  debug: LlamaLogLevel.debug,
};
const ENGINE_LOG_LEVELS = new Map<string, EngineLogLevel>(
  Object.entries(LOG_LEVELS).map(([engineLevel, llamaLevel]) => [llamaLevel, engineLevel as EngineLogLevel]),
);

/**
 * The one llama.cpp runtime of the process (node-llama-cpp allocates per `Llama`, so the app shares this object).
 * Loads models, estimates whether they fit, and reports the machine's compute resources. Never builds llama.cpp
 * from source: it uses the prebuilt binaries shipped with the app, offline.
 */
export class Engine {
  /** The backend the loaded binary runs on. */
  public readonly backend: EngineBackend;
  /** Threads llama.cpp may use for math. */
  public readonly threads: number;
  readonly #llama: Llama;
  readonly #cpuOnly: boolean;
  readonly #models = new Set<LoadedModel>();
  readonly #pending = new Set<Promise<unknown>>();
  #disposed = false;
  #disposePromise: Promise<void> | undefined;

  private constructor(llama: Llama, cpuOnly: boolean, threads: number) {
    this.#llama = llama;
    this.#cpuOnly = cpuOnly;
    this.threads = threads;
    this.backend = toEngineBackend(llama.gpu, cpuOnly);
  }

  /** Loads the llama.cpp binary for the requested backend. Throws `BackendUnavailableError` when there is none. */
  public static async create(options: EngineOptions = {}): Promise<Engine> {
    const parsed = EngineOptionsSchema.safeParse(options);
    if (!parsed.success)
      throw new InvalidEngineOptionsError(
        `Engine.create: invalid options (${describeZodIssues(parsed.error, 'options')})`,
      );
    const backendOption = options.backend ?? 'auto';
    const request = resolveBackend(backendOption, process.platform, process.arch);
    const userLogger = options.logger;

    let llama: Llama;
    try {
      llama = await getLlama({
        gpu: request.gpu,
        build: 'never',
        skipDownload: true,
        progressLogs: false,
        logLevel: LOG_LEVELS[options.logLevel ?? 'warn'],
        ...(userLogger === undefined
          ? {}
          : {
              logger: (level: LlamaLogLevel, message: string) =>
                userLogger(ENGINE_LOG_LEVELS.get(level) ?? 'log', message),
            }),
        ...(options.threads === undefined ? {} : { maxThreads: options.threads }),
      });
    } catch (error) {
      throw new BackendUnavailableError(
        `Engine.create: no working llama.cpp binary for the ${backendOption} backend on ${process.platform}-${process.arch} (${toErrorMessage(error)})`,
        { cause: error },
      );
    }
    if (request.gpu !== 'auto' && llama.gpu !== request.gpu) {
      const loaded = llama.gpu === false ? 'cpu' : llama.gpu;
      await llama.dispose();
      throw new BackendUnavailableError(
        `Engine.create: asked for the ${backendOption} backend but llama.cpp loaded ${loaded}`,
      );
    }

    const threads = options.threads ?? Math.max(1, llama.cpuMathCores);
    llama.maxThreads = threads;
    return new Engine(llama, request.cpuOnly, threads);
  }

  /** The underlying node-llama-cpp runtime, for benchmarks and diagnostics. Never dispose it: the engine owns it. */
  public get llama(): Llama {
    this.#assertNotDisposed('llama');
    return this.#llama;
  }

  public get disposed(): boolean {
    return this.#disposed;
  }

  /** Models loaded and not yet disposed, in load order. */
  public get loadedModels(): readonly LoadedModel[] {
    return [...this.#models];
  }

  /** Backend, devices, memory and threads, as `veil doctor` shows them. */
  public async getSystemInfo(): Promise<SystemInfo> {
    this.#assertNotDisposed('getSystemInfo');
    const llama = this.#llama;
    const [vram, ram, gpuDevices] = await Promise.all([
      llama.getVramState(),
      llama.getRamState(),
      llama.getGpuDeviceNames(),
    ]);
    return {
      backend: this.backend,
      gpuDevices,
      vramTotalBytes: vram.total,
      vramFreeBytes: vram.free,
      ramTotalBytes: ram.total,
      ramFreeBytes: ram.free,
      cpuMathCores: llama.cpuMathCores,
      threads: this.threads,
      llamaCppRelease: `${llama.llamaCppRelease.repo}@${llama.llamaCppRelease.release}`,
      buildType: llama.buildType,
    };
  }

  /**
   * Whether the model at `modelPath` fits in the free memory with the given context, and how it would split between
   * RAM and VRAM. Reads only the GGUF header. Throws the same file errors as `loadModel`.
   */
  public async estimateFit(modelPath: string, options: FitOptions = {}): Promise<FitEstimate> {
    this.#assertNotDisposed('estimateFit');
    const header = await inspectModelFile(this.#llama, modelPath, 'estimateFit');
    return await estimateModelFit(
      this.#llama,
      header,
      this.#resolveFitOptions(header, options, 'estimateFit'),
    );
  }

  /**
   * Loads a GGUF model. Before llama.cpp sees the file it must pass the header checks (`ModelFileNotFoundError`,
   * `InvalidGgufError`, `UnsupportedArchitectureError`) and the memory estimate (`InsufficientMemoryError`).
   */
  public async loadModel(options: LoadModelOptions): Promise<LoadedModel> {
    this.#assertNotDisposed('loadModel');
    const loading = this.#loadModel(options);
    this.#track(loading);
    return await loading;
  }

  async #loadModel(options: LoadModelOptions): Promise<LoadedModel> {
    const { signal } = options;
    throwIfLoadAborted(signal);
    const header = await inspectModelFile(this.#llama, options.modelPath, 'loadModel', signal);
    const resolved = this.#resolveFitOptions(header, options, 'loadModel');
    const fit = await estimateModelFit(this.#llama, header, resolved);
    if (!fit.fits) throw toInsufficientMemoryError(fit);
    throwIfLoadAborted(signal);
    this.#assertNotDisposed('loadModel');

    const model = await LoadedModel.load({
      llama: this.#llama,
      modelPath: options.modelPath,
      header,
      contextSize: resolved.contextSize,
      sequences: resolved.sequences,
      gpuLayers: fit.gpuLayers,
      onProgress: options.onProgress,
      signal,
      onDisposed: (disposed) => this.#models.delete(disposed),
      onAbandoned: (cleanup) => this.#track(cleanup),
    });
    if (this.#disposed) {
      await model.dispose();
      throw new EngineDisposedError('loadModel: the engine was disposed while the model loaded');
    }
    this.#models.add(model);
    return model;
  }

  /** Disposes every loaded model, then the llama.cpp runtime. Idempotent; every call returns the same promise. */
  public dispose(): Promise<void> {
    this.#disposePromise ??= this.#disposeOnce();
    return this.#disposePromise;
  }

  async #disposeOnce(): Promise<void> {
    this.#disposed = true;
    // Loads in flight (and the cleanup of cancelled ones) hold the runtime; they see `disposed` and unload.
    await Promise.allSettled([...this.#pending]);
    await Promise.allSettled([...this.#models].map(async (model) => await model.dispose()));
    await this.#llama.dispose();
  }

  /** Keeps `work` in the set `dispose()` waits for until it settles; its result and errors belong to its caller. */
  #track(work: Promise<unknown>): void {
    this.#pending.add(work);
    void (async () => {
      try {
        await work;
      } catch {
        // The caller of loadModel receives this error; here it only marks the work as done.
      } finally {
        this.#pending.delete(work);
      }
    })();
  }

  #resolveFitOptions(header: ModelFileHeader, options: FitOptions, operation: string): ResolvedFitOptions {
    const parsed = FitOptionsSchema.safeParse({
      contextSize: options.contextSize,
      sequences: options.sequences,
      gpuLayers: options.gpuLayers,
    });
    if (!parsed.success)
      throw new InvalidEngineOptionsError(
        `${operation}: invalid options (${describeZodIssues(parsed.error, 'options')})`,
      );
    return {
      contextSize: parsed.data.contextSize ?? Math.min(header.trainContextSize, DEFAULT_MAX_CONTEXT_SIZE),
      sequences: parsed.data.sequences ?? DEFAULT_SEQUENCES,
      gpuLayers: parsed.data.gpuLayers ?? 'auto',
      cpuOnly: this.#cpuOnly,
    };
  }

  #assertNotDisposed(operation: string): void {
    if (this.#disposed) throw new EngineDisposedError(`${operation}: the engine was disposed`);
  }
}

function throwIfLoadAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true)
    throw new ModelLoadAbortedError('loadModel: cancelled', { cause: signal.reason });
}

function toInsufficientMemoryError(fit: FitEstimate): InsufficientMemoryError {
  const shape = `a ${fit.contextSize}-token context × ${fit.sequences} sequence${fit.sequences === 1 ? '' : 's'}`;
  const vram =
    fit.vramBytes > 0
      ? ` and ${formatBytes(fit.vramBytes)} of VRAM (${formatBytes(fit.availableVramBytes)} free, ${fit.gpuLayers} layers offloaded)`
      : '';
  return new InsufficientMemoryError(
    `loadModel: the model with ${shape} needs about ${formatBytes(fit.ramBytes)} of RAM (${formatBytes(fit.availableRamBytes)} free after the safety margin)${vram}; use a smaller context, fewer sequences or a smaller model`,
    fit.ramBytes,
    fit.availableRamBytes,
    fit.vramBytes,
    fit.availableVramBytes,
  );
}

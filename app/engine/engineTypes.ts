/** A compute backend llama.cpp runs on. */
export type EngineBackend = 'metal' | 'cuda' | 'vulkan' | 'cpu';

/** What the caller asks for: a specific backend, or the best one available. */
export type EngineBackendOption = 'auto' | EngineBackend;

/** llama.cpp log levels, most to least severe. */
export type EngineLogLevel = 'disabled' | 'fatal' | 'error' | 'warn' | 'info' | 'log' | 'debug';

export interface EngineOptions {
  /**
   * Compute backend. `auto` picks Metal on Apple Silicon, else CUDA, then Vulkan when their runtimes are found, else
   * the CPU. An explicit backend without a working binary fails with `BackendUnavailableError`. Defaults to `auto`.
   */
  backend?: EngineBackendOption;
  /**
   * Threads llama.cpp may use for math. node-llama-cpp's own default (at least 4) oversubscribes small machines.
   * Defaults to the physical cores useful for math (`llama.cpuMathCores`), at least 1.
   */
  threads?: number;
  /** Minimum llama.cpp log level that reaches `logger`. Defaults to `warn`. */
  logLevel?: EngineLogLevel;
  /** Receives llama.cpp log lines at or above `logLevel`. Defaults to node-llama-cpp's console logger. */
  logger?: (level: EngineLogLevel, message: string) => void;
}

export interface SystemInfo {
  backend: EngineBackend;
  /** GPU device names llama.cpp sees (empty on the CPU backend). */
  gpuDevices: string[];
  vramTotalBytes: number;
  vramFreeBytes: number;
  ramTotalBytes: number;
  ramFreeBytes: number;
  /** CPU cores node-llama-cpp considers useful for math (physical cores). */
  cpuMathCores: number;
  /** Threads this engine lets llama.cpp use. */
  threads: number;
  /** The llama.cpp release the binary was built from, e.g. `ggml-org/llama.cpp@b6000`. */
  llamaCppRelease: string;
  /** `prebuilt` (shipped binary) or `localBuild`. */
  buildType: 'prebuilt' | 'localBuild';
}

export interface FitOptions {
  /** Context size per sequence, in tokens. Defaults to min(the model's training context, 4096). */
  contextSize?: number;
  /** Parallel sequences (conversations served at once); KV memory grows linearly with it. Defaults to 2. */
  sequences?: number;
  /** Layers to offload to the GPU, or `auto` for node-llama-cpp's fit estimate. Defaults to `auto`. */
  gpuLayers?: 'auto' | number;
}

export interface FitEstimate {
  /** Whether the model and its context fit in the free RAM and VRAM right now. */
  fits: boolean;
  /** Context size per sequence the estimate was made for. */
  contextSize: number;
  sequences: number;
  /** Layers that would be offloaded to the GPU (0 on the CPU backend). */
  gpuLayers: number;
  /** Estimated RAM for weights kept on the CPU plus the CPU part of the context. */
  ramBytes: number;
  /** Estimated VRAM for offloaded weights plus the GPU part of the context. */
  vramBytes: number;
  availableRamBytes: number;
  availableVramBytes: number;
  /** The model's training context length (4096 when the file does not say). */
  trainContextSize: number;
}

export interface LoadModelOptions extends FitOptions {
  /** Path of the GGUF file. */
  modelPath: string;
  /** Called with the load progress in [0, 1]; reaches 1 once the context is ready. Defaults to no callback. */
  onProgress?: (fraction: number) => void;
  /** Cancels loading; the promise then rejects with `ModelLoadAbortedError`. Defaults to no signal. */
  signal?: AbortSignal;
}

export interface LoadedModelInfo {
  path: string;
  /** GGUF `general.architecture`, e.g. `llama`. */
  architecture: string;
  trainContextSize: number;
  /** Context size per sequence actually allocated. */
  contextSize: number;
  sequences: number;
  gpuLayers: number;
  /** Bytes of weights, as node-llama-cpp reports. */
  sizeBytes: number;
  /** Name of the chat template wrapper node-llama-cpp resolved, e.g. `ChatML`. */
  chatWrapper: string;
}

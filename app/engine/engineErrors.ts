import { VeilError } from '../errors/VeilError';

/** The engine was used after `Engine.dispose()`. */
export class EngineDisposedError extends VeilError {}

/** A loaded model was used after `LoadedModel.dispose()` (or after its engine was disposed). */
export class ModelDisposedError extends VeilError {}

/** The requested compute backend (or, for `auto`, any backend) has no working llama.cpp binary on this machine. */
export class BackendUnavailableError extends VeilError {}

/**
 * The model path does not exist, is not a regular file, or cannot be read. Malformed files raise app/gguf's
 * `InvalidGgufError` and `UnsupportedArchitectureError`, shared with the model library.
 */
export class ModelFileNotFoundError extends VeilError {}

/** The memory estimate says the model with the requested context does not fit in the free RAM/VRAM. */
export class InsufficientMemoryError extends VeilError {
  public constructor(
    message: string,
    /** Estimated RAM the model and its context need, in bytes. */
    public readonly requiredRamBytes: number,
    /** Free RAM when the estimate was made, in bytes. */
    public readonly availableRamBytes: number,
    /** Estimated VRAM the offloaded layers and context need, in bytes. */
    public readonly requiredVramBytes: number,
    /** Free VRAM when the estimate was made, in bytes. */
    public readonly availableVramBytes: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** llama.cpp failed to load the model or create its context after the header checks passed. */
export class ModelLoadError extends VeilError {}

/** Loading was cancelled through the caller's `AbortSignal`. */
export class ModelLoadAbortedError extends VeilError {}

/** A generate request or option is malformed (for example a negative temperature or an empty message list). */
export class InvalidGenerateRequestError extends VeilError {}

/** An engine or load option is out of range (for example `threads: 0` or a non-integer context size). */
export class InvalidEngineOptionsError extends VeilError {}

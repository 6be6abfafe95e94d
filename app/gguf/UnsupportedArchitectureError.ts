import { VeilError } from '../errors/VeilError';

/** A GGUF model's architecture is unknown to the bundled llama.cpp, so it cannot be loaded. */
export class UnsupportedArchitectureError extends VeilError {
  public constructor(
    message: string,
    /** The file's `general.architecture`; kept out of the message because it is file content. */
    public readonly architecture: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

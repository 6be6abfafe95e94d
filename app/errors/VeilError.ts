/**
 * Base class of every error Veil raises on purpose. Subclasses keep their class name in `name`, so an error can be
 * matched by name after it crossed IPC, a WebSocket or a process boundary as `{name, message}`.
 *
 * Messages start with the operation that failed (`loadModel: …`) and never contain prompts, outputs or key material.
 */
export class VeilError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Base of the errors the renderer's transports raise themselves (the core's errors arrive as `RemoteError`). */
export class TransportError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The connection to Veil dropped or is not open; the call did not reach the core, or its answer was lost. */
export class ConnectionLostError extends TransportError {}

/** The other side answered with something the contract does not allow; the answer was discarded. */
export class ContractViolationError extends TransportError {}

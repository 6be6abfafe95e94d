/**
 * What crosses the IPC boundary for one call. Errors travel as `{name, message}` only: no stack, no cause, no
 * custom fields. The envelope (rather than a rejected promise) reaches the page because Electron's contextBridge
 * keeps only the message of an Error it copies, which would lose the name the UI matches errors on.
 */
export type IpcResult = { ok: true; value: unknown } | { ok: false; error: IpcErrorInfo };

/** A serialisable error. Mirrors `ErrorInfo` of the UI contract. */
export interface IpcErrorInfo {
  name: string;
  message: string;
}

/** Longest error name that crosses IPC; matches the contract's `ErrorInfo`. */
export const MAX_IPC_ERROR_NAME_LENGTH = 200;

/** Longest error message that crosses IPC; matches the contract's `ErrorInfo`. */
export const MAX_IPC_ERROR_MESSAGE_LENGTH = 4000;

/** Reduces anything thrown to `{name, message}`, bounded, never with a stack. */
export function toIpcErrorInfo(error: unknown, method: string): IpcErrorInfo {
  if (error instanceof Error) {
    return {
      name: error.name.slice(0, MAX_IPC_ERROR_NAME_LENGTH),
      message: error.message.slice(0, MAX_IPC_ERROR_MESSAGE_LENGTH),
    };
  }
  // A thrown non-Error could be any value, user text included: describe it without echoing it.
  return { name: 'Error', message: `${method}: the handler failed with a non-Error value` };
}

import { VeilError } from '../errors/VeilError';

/**
 * The closed set of protocol failures (docs/PROTOCOL.md §9). Codes travel across processes; messages are for people
 * and name the operation, never the bytes involved.
 */
export const PROTOCOL_ERROR_CODES = [
  'BAD_VERSION',
  'MALFORMED',
  'TOO_LARGE',
  'EXPIRED',
  'NOT_YET_VALID',
  'BAD_EXPIRY',
  'WRONG_PROVIDER',
  'UNKNOWN_KEY',
  'HEADER_MISMATCH',
  'REPLAY',
  'REPLAY_CACHE_FULL',
  'DECRYPT_FAILED',
  'BAD_SIGNATURE',
  'IDENTITY_CHANGED',
  'PIN_STORE_CORRUPT',
  'TRUNCATED',
  'OUT_OF_ORDER',
  'STREAM_CLOSED',
  'HASH_MISMATCH',
  'RECEIPT_MISMATCH',
  'DISPOSED',
] as const;

export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

/** Every failure the protocol library raises on purpose. Check `code`, not the message. */
export class ProtocolError extends VeilError {
  public readonly code: ProtocolErrorCode;

  public constructor(code: ProtocolErrorCode, message: string, options?: ErrorOptions) {
    super(`${message} [${code}]`, options);
    this.code = code;
  }

  /** Only the code and message: a `cause` from a parser could quote input bytes, so it is left out of JSON. */
  public toJSON(): { name: string; code: ProtocolErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}

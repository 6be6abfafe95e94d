import {
  MAX_CHUNK_TEXT_BYTES,
  MAX_ERROR_MESSAGE_CHARS,
  MAX_SIGNED_OBJECT_BYTES,
  MAX_STREAM_CHUNKS,
} from './constants';
import { missingCaseError } from '../errors/missingCaseError';
import { ProtocolError } from './ProtocolError';

/** Errors a provider reports inside the encrypted stream (the coordinator never sees them). Order is wire format. */
export const PROVIDER_ERROR_CODES = [
  'MODEL_UNAVAILABLE',
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'OVERLOADED',
  'CANCELLED',
  'TIMEOUT',
  'GENERATION_FAILED',
] as const;
export type ProviderErrorCode = (typeof PROVIDER_ERROR_CODES)[number];

/** One response chunk, before padding and encryption. */
export type StreamChunk =
  | { readonly t: 'tokens'; readonly seq: number; readonly text: Uint8Array }
  | { readonly t: 'error'; readonly seq: number; readonly code: ProviderErrorCode; readonly message: string }
  | { readonly t: 'final'; readonly seq: number; readonly receipt: Uint8Array };

const TYPE_TOKENS = 1;
const TYPE_ERROR = 2;
const TYPE_FINAL = 3;
/** Type byte plus big-endian u32 sequence number. */
const CHUNK_PREFIX_BYTES = 5;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Fixed binary layout of a chunk (docs/PROTOCOL.md §6.2): `type u8 ‖ seq u32 ‖ payload`, where the payload is the
 * token text (tokens), `code u8 ‖ UTF-8 message` (error) or the signed receipt (final). The payload length is implied
 * by the padding, which the caller adds. A fixed layout keeps the per-token path free of CBOR and schema work.
 */
export function encodeStreamChunk(chunk: StreamChunk): Uint8Array {
  let type: number;
  let payload: Uint8Array;
  switch (chunk.t) {
    case 'tokens':
      type = TYPE_TOKENS;
      payload = chunk.text;
      break;
    case 'error': {
      type = TYPE_ERROR;
      const message = new TextEncoder().encode(chunk.message.slice(0, MAX_ERROR_MESSAGE_CHARS));
      payload = new Uint8Array(1 + message.length);
      payload[0] = PROVIDER_ERROR_CODES.indexOf(chunk.code);
      payload.set(message, 1);
      break;
    }
    case 'final':
      type = TYPE_FINAL;
      payload = chunk.receipt;
      break;
    default:
      throw missingCaseError(chunk);
  }
  const out = new Uint8Array(CHUNK_PREFIX_BYTES + payload.length);
  out[0] = type;
  new DataView(out.buffer).setUint32(1, chunk.seq);
  out.set(payload, CHUNK_PREFIX_BYTES);
  return out;
}

/** Parses an unpadded chunk; payloads are copied, so the caller may wipe `bytes`. Throws `MALFORMED`/`TOO_LARGE`. */
export function decodeStreamChunk(bytes: Uint8Array, operation: string): StreamChunk {
  if (bytes.length < CHUNK_PREFIX_BYTES)
    throw new ProtocolError('MALFORMED', `${operation}: chunk too short`);
  const seq = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1);
  if (seq > MAX_STREAM_CHUNKS)
    throw new ProtocolError('TOO_LARGE', `${operation}: sequence number out of range`);
  const payload = bytes.subarray(CHUNK_PREFIX_BYTES);
  switch (bytes[0]) {
    case TYPE_TOKENS:
      if (payload.length > MAX_CHUNK_TEXT_BYTES)
        throw new ProtocolError('TOO_LARGE', `${operation}: token batch too large`);
      return { t: 'tokens', seq, text: payload.slice() };
    case TYPE_ERROR: {
      const code = PROVIDER_ERROR_CODES[payload[0] ?? PROVIDER_ERROR_CODES.length];
      if (code === undefined)
        throw new ProtocolError('MALFORMED', `${operation}: unknown provider error code`);
      let message: string;
      try {
        message = strictUtf8.decode(payload.subarray(1));
      } catch {
        throw new ProtocolError('MALFORMED', `${operation}: error message is not UTF-8`);
      }
      if (message.length > MAX_ERROR_MESSAGE_CHARS) {
        throw new ProtocolError('TOO_LARGE', `${operation}: error message too long`);
      }
      return { t: 'error', seq, code, message };
    }
    case TYPE_FINAL:
      if (payload.length > MAX_SIGNED_OBJECT_BYTES)
        throw new ProtocolError('TOO_LARGE', `${operation}: receipt too large`);
      return { t: 'final', seq, receipt: payload.slice() };
    default:
      throw new ProtocolError('MALFORMED', `${operation}: unknown chunk type`);
  }
}

import { decode, encode } from 'cborg';
import { ProtocolError } from './ProtocolError';

const DECODE_OPTIONS = {
  strict: true,
  rejectDuplicateMapKeys: true,
  allowUndefined: false,
  allowIndefinite: false,
  allowInfinity: false,
  allowNaN: false,
  allowBigInt: false,
  useMaps: false,
} as const;

/**
 * Deterministic CBOR (RFC 8949 core deterministic encoding as implemented by cborg: shortest integers and floats,
 * definite lengths, map keys sorted length-first then bytewise). Everything Veil signs or hashes is encoded here.
 */
export function encodeCanonical(value: unknown): Uint8Array {
  return encode(value);
}

/** Options of `decodeCanonical`. */
export interface DecodeCanonicalOptions {
  /**
   * Whether the bytes must equal the canonical re-encoding (map key order, float widths). Needed wherever bytes are
   * signed or compared; the AEAD-protected inner request skips it to save a full re-encode. Defaults to true.
   */
  readonly requireCanonical?: boolean;
}

/**
 * Strict CBOR decoding for untrusted bytes: a size limit before parsing, shortest-form integers and lengths, no
 * duplicate keys, no undefined/NaN/Infinity, no tags, indefinite lengths or big integers, and (by default) the bytes
 * must be exactly the canonical encoding of what they decode to (checked by re-encoding). Any failure is `MALFORMED`
 * or `TOO_LARGE`; the parser's own error is not kept, because its message could quote input.
 */
export function decodeCanonical(
  bytes: Uint8Array,
  maxBytes: number,
  operation: string,
  options: DecodeCanonicalOptions = {},
): unknown {
  if (bytes.length > maxBytes) {
    throw new ProtocolError(
      'TOO_LARGE',
      `${operation}: ${bytes.length} bytes exceeds the ${maxBytes}-byte limit`,
    );
  }
  let value: unknown;
  try {
    value = decode(bytes, DECODE_OPTIONS);
  } catch {
    throw new ProtocolError('MALFORMED', `${operation}: invalid CBOR`);
  }
  if (options.requireCanonical === false) return value;
  let reencoded: Uint8Array;
  try {
    reencoded = encode(value);
  } catch {
    throw new ProtocolError('MALFORMED', `${operation}: CBOR value cannot be re-encoded`);
  }
  if (!sameBytes(reencoded, bytes)) {
    throw new ProtocolError('MALFORMED', `${operation}: CBOR is not in canonical form`);
  }
  return value;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

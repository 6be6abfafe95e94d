import { BOX_SEAL_OVERHEAD_BYTES, KEY_ID_BYTES, PROVIDER_ID_BYTES } from '../crypto/constants';
import { MAX_REQUEST_BUCKET_BYTES, PROTOCOL_VERSION, SEALED_REQUEST_KIND } from './constants';
import { isRequestBucket } from './padding';
import { ProtocolError } from './ProtocolError';

/**
 * Outer routing header of a sealed request, fixed binary layout, big-endian (docs/PROTOCOL.md §5.1):
 *
 * | offset | size | field                                   |
 * |-------:|-----:|-----------------------------------------|
 * |      0 |    1 | version (1)                             |
 * |      1 |    1 | kind (0x01 = sealed request)            |
 * |      2 |   32 | provider id                             |
 * |     34 |   16 | key id                                  |
 * |     50 |    4 | size bucket (padded inner length)       |
 * |     54 |    8 | expiry, ms since the Unix epoch         |
 */
export const SEALED_REQUEST_HEADER_BYTES = 62;

/** Largest sealed request: header plus the largest bucket plus the sealed-box overhead. */
export const MAX_SEALED_REQUEST_BYTES =
  SEALED_REQUEST_HEADER_BYTES + MAX_REQUEST_BUCKET_BYTES + BOX_SEAL_OVERHEAD_BYTES;

/** What the coordinator may see of a request: enough to route it, nothing about its content. */
export interface SealedRequestHeader {
  readonly version: number;
  readonly providerId: Uint8Array;
  readonly keyId: Uint8Array;
  /** Padded length of the inner request; the ciphertext is this plus 48 bytes. */
  readonly bucket: number;
  /** Expiry in ms since the Unix epoch. */
  readonly expiresAt: number;
}

/** Encodes the 62-byte header. */
export function encodeSealedRequestHeader(header: Omit<SealedRequestHeader, 'version'>): Uint8Array {
  if (header.providerId.length !== PROVIDER_ID_BYTES || header.keyId.length !== KEY_ID_BYTES) {
    throw new RangeError('encodeSealedRequestHeader: provider id or key id has the wrong length');
  }
  if (!isRequestBucket(header.bucket) || !Number.isSafeInteger(header.expiresAt) || header.expiresAt < 0) {
    throw new RangeError('encodeSealedRequestHeader: bucket or expiry out of range');
  }
  const out = new Uint8Array(SEALED_REQUEST_HEADER_BYTES);
  const view = new DataView(out.buffer);
  out[0] = PROTOCOL_VERSION;
  out[1] = SEALED_REQUEST_KIND;
  out.set(header.providerId, 2);
  out.set(header.keyId, 34);
  view.setUint32(50, header.bucket);
  view.setBigUint64(54, BigInt(header.expiresAt));
  return out;
}

/**
 * Parses and checks the outer header of a complete sealed request: version, kind, a valid bucket, an expiry in the
 * safe-integer range, and a total length of exactly header + bucket + 48. Used by the coordinator (routing) and the
 * provider (before decrypting). Errors: `BAD_VERSION`, `TOO_LARGE`, `MALFORMED`.
 */
export function parseSealedRequestHeader(sealedRequest: Uint8Array): SealedRequestHeader {
  const operation = 'parseSealedRequestHeader';
  if (sealedRequest.length > MAX_SEALED_REQUEST_BYTES) {
    throw new ProtocolError('TOO_LARGE', `${operation}: ${sealedRequest.length} bytes exceeds the limit`);
  }
  if (sealedRequest.length < SEALED_REQUEST_HEADER_BYTES) {
    throw new ProtocolError(
      'MALFORMED',
      `${operation}: shorter than the ${SEALED_REQUEST_HEADER_BYTES}-byte header`,
    );
  }
  if (sealedRequest[0] !== PROTOCOL_VERSION) {
    throw new ProtocolError('BAD_VERSION', `${operation}: unsupported version ${sealedRequest[0] ?? 0}`);
  }
  if (sealedRequest[1] !== SEALED_REQUEST_KIND) {
    throw new ProtocolError('MALFORMED', `${operation}: not a sealed request`);
  }
  const view = new DataView(sealedRequest.buffer, sealedRequest.byteOffset, sealedRequest.byteLength);
  const bucket = view.getUint32(50);
  const expiresAtBig = view.getBigUint64(54);
  if (!isRequestBucket(bucket)) {
    throw new ProtocolError('MALFORMED', `${operation}: invalid size bucket`);
  }
  if (expiresAtBig > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ProtocolError('MALFORMED', `${operation}: expiry out of range`);
  }
  if (sealedRequest.length !== SEALED_REQUEST_HEADER_BYTES + bucket + BOX_SEAL_OVERHEAD_BYTES) {
    throw new ProtocolError('MALFORMED', `${operation}: length does not match the size bucket`);
  }
  return {
    version: PROTOCOL_VERSION,
    providerId: sealedRequest.slice(2, 34),
    keyId: sealedRequest.slice(34, 50),
    bucket,
    expiresAt: Number(expiresAtBig),
  };
}

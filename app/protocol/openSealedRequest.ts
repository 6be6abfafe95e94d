import { constantTimeEqual, wipe } from '../crypto/bytes';
import type { EpochKeyPair } from '../crypto/EpochKeyPair';
import { blake2b256 } from '../crypto/hash';
import { getSodium } from '../crypto/sodium';
import { toBase64Url } from '../crypto/base64url';
import { decodeCanonical } from './cbor';
import { CLOCK_SKEW_MS, MAX_REQUEST_BUCKET_BYTES, MAX_REQUEST_TTL_MS } from './constants';
import { innerRequestSchema } from './innerRequest';
import { OpenedRequest } from './OpenedRequest';
import { unpad } from './padding';
import { ProtocolError } from './ProtocolError';
import type { ReplayCache } from './ReplayCache';
import { assertVersion, parseWithSchema } from './schemas';
import { parseSealedRequestHeader, SEALED_REQUEST_HEADER_BYTES } from './SealedRequestHeader';

/** What `openSealedRequest` needs from the provider. */
export interface OpenSealedRequestDependencies {
  /** This provider's id; requests for another id are refused (`WRONG_PROVIDER`). */
  readonly providerId: Uint8Array;
  /** The live epoch key with this id, or undefined (`UNKNOWN_KEY`: never existed, or already wiped). */
  readonly findEpochKey: (keyId: Uint8Array) => EpochKeyPair | undefined;
  /** Remembers request ids until their expiry (`REPLAY`). */
  readonly replayCache: ReplayCache;
  /** Current time in ms. */
  readonly now: number;
}

/**
 * The provider's checks, in order (docs/PROTOCOL.md §5.4): outer header (version, bucket, exact length), provider id,
 * expiry (not passed, not too far ahead), key id, decryption, padding, inner CBOR and schema, inner header equals
 * outer header byte for byte, inner expiry equals outer expiry, and only then the replay cache (so garbage cannot fill
 * it). Decryption and padding failures share one error (`DECRYPT_FAILED`) to avoid a padding oracle.
 */
export async function openSealedRequest(
  sealedRequest: Uint8Array,
  dependencies: OpenSealedRequestDependencies,
): Promise<OpenedRequest> {
  await getSodium();
  const operation = 'openSealedRequest';
  const header = parseSealedRequestHeader(sealedRequest);
  if (!constantTimeEqual(header.providerId, dependencies.providerId)) {
    throw new ProtocolError(
      'WRONG_PROVIDER',
      `${operation}: request is for provider ${toBase64Url(header.providerId)}`,
    );
  }
  const now = dependencies.now;
  if (header.expiresAt <= now) {
    throw new ProtocolError('EXPIRED', `${operation}: request has expired`);
  }
  if (header.expiresAt > now + MAX_REQUEST_TTL_MS + CLOCK_SKEW_MS) {
    throw new ProtocolError('BAD_EXPIRY', `${operation}: request expiry is too far in the future`);
  }
  const epochKey = dependencies.findEpochKey(header.keyId);
  if (epochKey === undefined || epochKey.isDisposed) {
    throw new ProtocolError('UNKNOWN_KEY', `${operation}: no live epoch key with this key id`);
  }
  const padded = epochKey.openSealed(sealedRequest.subarray(SEALED_REQUEST_HEADER_BYTES));
  if (padded === undefined) {
    throw new ProtocolError('DECRYPT_FAILED', `${operation}: cannot decrypt the request`);
  }
  try {
    const innerBytes = unpad(padded);
    if (innerBytes === undefined) {
      throw new ProtocolError('DECRYPT_FAILED', `${operation}: cannot decrypt the request`);
    }
    // Authenticated by the sealed box and hashed as received, so key order need not be re-checked here.
    const decoded = decodeCanonical(innerBytes, MAX_REQUEST_BUCKET_BYTES, operation, {
      requireCanonical: false,
    });
    assertVersion(decoded, operation);
    const inner = parseWithSchema(innerRequestSchema, decoded, operation);
    if (!constantTimeEqual(inner.header, sealedRequest.subarray(0, SEALED_REQUEST_HEADER_BYTES))) {
      throw new ProtocolError('HEADER_MISMATCH', `${operation}: inner header differs from the outer header`);
    }
    if (inner.expiresAt !== header.expiresAt) {
      throw new ProtocolError('HEADER_MISMATCH', `${operation}: inner expiry differs from the outer expiry`);
    }
    dependencies.replayCache.checkAndRemember(inner.requestId, inner.expiresAt, now);
    return new OpenedRequest({
      header,
      requestId: inner.requestId,
      expiresAt: inner.expiresAt,
      model: inner.model,
      messages: inner.messages,
      sampling: inner.sampling,
      authorization: inner.authorization,
      sealedRequestHash: blake2b256(sealedRequest),
      innerRequestHash: blake2b256(innerBytes),
      responseKey: inner.responseKey,
    });
  } finally {
    wipe(padded);
  }
}

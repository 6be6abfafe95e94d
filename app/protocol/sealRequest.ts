import { REQUEST_ID_BYTES, RESPONSE_KEY_BYTES } from '../crypto/constants';
import { concatBytes, copyBytes, wipe } from '../crypto/bytes';
import { blake2b256 } from '../crypto/hash';
import { sealBox } from '../crypto/sealBox';
import { getSodium } from '../crypto/sodium';
import { assertTestOnly } from '../crypto/testOnly';
import { encodeCanonical } from './cbor';
import { CLOCK_SKEW_MS, DEFAULT_REQUEST_TTL_MS, MAX_REQUEST_TTL_MS, PROTOCOL_VERSION } from './constants';
import { innerRequestSchema } from './innerRequest';
import type { InnerRequest } from './innerRequest';
import { requestBucketFor, padTo } from './padding';
import { PendingRequest } from './PendingRequest';
import { isPinnedCertificate } from './PinStore';
import type { PinnedKeyCertificate } from './PinStore';
import { ProtocolError } from './ProtocolError';
import type { ChatMessage, ModelRef, SamplingParams } from './schemas';
import { parseWithSchema } from './schemas';
import {
  encodeSealedRequestHeader,
  parseSealedRequestHeader,
  SEALED_REQUEST_HEADER_BYTES,
} from './SealedRequestHeader';

/** What the requester asks for. */
export interface RequestContent {
  /** Model id and GGUF SHA-256; must be one the certificate lists. */
  readonly model: ModelRef;
  readonly messages: ReadonlyArray<ChatMessage>;
  readonly sampling: SamplingParams;
  /** Opaque authorization token for the provider (e.g. an anonymous credential). Defaults to none. */
  readonly authorization?: Uint8Array;
}

/** Fixed values for known-answer vectors. */
export interface SealRequestTestOnlyValues {
  readonly requestId: Uint8Array;
  readonly responseKey: Uint8Array;
  readonly ephemeralSeed: Uint8Array;
}

/** Options of `sealRequest`. */
export interface SealRequestOptions {
  /** Current time in ms. */
  readonly now: number;
  /** Request lifetime, at most `MAX_REQUEST_TTL_MS`. Defaults to `DEFAULT_REQUEST_TTL_MS` (2 minutes). */
  readonly ttlMs?: number;
  /** Fixed request id, response key and ephemeral key; throws outside tests. Defaults to fresh randomness. */
  readonly dangerousTestOnly?: SealRequestTestOnlyValues;
}

/**
 * Seals a request to a pinned provider's epoch key (docs/PROTOCOL.md §5): builds the outer header and the inner
 * request (a copy of the header, random request id and response key), pads it to its Padmé bucket and seals it with
 * `crypto_box_seal`. The certificate must come from `PinStore.pin` and still be valid at `now`.
 */
export async function sealRequest(
  certificate: PinnedKeyCertificate,
  content: RequestContent,
  options: SealRequestOptions,
): Promise<PendingRequest> {
  await getSodium();
  const operation = 'sealRequest';
  if (!isPinnedCertificate(certificate)) {
    throw new ProtocolError(
      'IDENTITY_CHANGED',
      `${operation}: certificate was not checked against the pin store`,
    );
  }
  if (options.now + CLOCK_SKEW_MS < certificate.notBefore) {
    throw new ProtocolError('NOT_YET_VALID', `${operation}: certificate is not valid yet`);
  }
  const ttlMs = options.ttlMs ?? DEFAULT_REQUEST_TTL_MS;
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0 || ttlMs > MAX_REQUEST_TTL_MS) {
    throw new ProtocolError(
      'BAD_EXPIRY',
      `${operation}: ttl must be between 1 ms and ${MAX_REQUEST_TTL_MS} ms`,
    );
  }
  if (options.now >= certificate.notAfter) {
    throw new ProtocolError('EXPIRED', `${operation}: certificate has expired`);
  }
  const expiresAt = options.now + ttlMs;

  let requestId: Uint8Array;
  let responseKey: Uint8Array;
  let ephemeralSeed: Uint8Array | undefined;
  if (options.dangerousTestOnly !== undefined) {
    assertTestOnly(operation);
    requestId = copyBytes(options.dangerousTestOnly.requestId);
    responseKey = copyBytes(options.dangerousTestOnly.responseKey);
    ephemeralSeed = options.dangerousTestOnly.ephemeralSeed;
  } else {
    // The platform CSPRNG (WebCrypto): libsodium.js fetches randomness 4 bytes per JS call, which is slower.
    requestId = crypto.getRandomValues(new Uint8Array(REQUEST_ID_BYTES));
    responseKey = crypto.getRandomValues(new Uint8Array(RESPONSE_KEY_BYTES));
  }

  // The bucket depends on the inner length, and the inner request holds the header that names the bucket. The header
  // has a fixed size, so validate and measure once with a zero placeholder, then put the real header in.
  const inner: InnerRequest = parseWithSchema(
    innerRequestSchema,
    {
      v: PROTOCOL_VERSION,
      header: new Uint8Array(SEALED_REQUEST_HEADER_BYTES),
      requestId,
      expiresAt,
      model: { id: content.model.id, sha256: content.model.sha256 },
      messages: content.messages.map((message) => ({ role: message.role, content: message.content })),
      sampling: { ...content.sampling },
      responseKey,
      ...(content.authorization === undefined ? {} : { authorization: content.authorization }),
    },
    operation,
  );
  const probe = encodeCanonical(inner);
  const bucket = requestBucketFor(probe.length);
  wipe(probe);
  if (bucket === undefined) {
    wipe(responseKey);
    throw new ProtocolError('TOO_LARGE', `${operation}: request does not fit the largest size bucket`);
  }
  const header = encodeSealedRequestHeader({
    providerId: certificate.providerId,
    keyId: certificate.keyId,
    bucket,
    expiresAt,
  });
  inner.header = header;
  const innerBytes = encodeCanonical(inner);
  const padded = padTo(innerBytes, bucket);
  if (padded === undefined) throw new RangeError(`${operation}: internal bucket error`);
  const sealed = sealBox(
    padded,
    certificate.publicKey,
    ephemeralSeed === undefined ? {} : { dangerousTestOnlyEphemeralSeed: ephemeralSeed },
  );
  const sealedRequest = concatBytes(header, sealed);
  const innerRequestHash = blake2b256(innerBytes);
  wipe(innerBytes);
  wipe(padded);
  return new PendingRequest({
    sealedRequest,
    header: parseSealedRequestHeader(sealedRequest),
    certificate,
    requestId,
    sealedRequestHash: blake2b256(sealedRequest),
    innerRequestHash,
    model: inner.model,
    sampling: inner.sampling,
    responseKey,
  });
}

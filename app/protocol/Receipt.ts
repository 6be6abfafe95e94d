import { z } from 'zod';
import { HASH_BYTES, KEY_ID_BYTES, PROVIDER_ID_BYTES, REQUEST_ID_BYTES } from '../crypto/constants';
import type { IdentityKeyPair } from '../crypto/IdentityKeyPair';
import { getSodium } from '../crypto/sodium';
import { LABEL_RECEIPT, PROTOCOL_VERSION } from './constants';
import {
  bytesOf,
  labelSchema,
  modelRefSchema,
  samplingSchema,
  timestampSchema,
  tokenCountsSchema,
} from './schemas';
import { assertEnvelopeSignature, decodeSignedBody, signBody } from './signedEnvelope';

/** The signed content of a response receipt (docs/PROTOCOL.md §6.3). */
export const receiptBodySchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  requestId: bytesOf(REQUEST_ID_BYTES),
  sealedRequestHash: bytesOf(HASH_BYTES),
  responseHash: bytesOf(HASH_BYTES),
  providerId: bytesOf(PROVIDER_ID_BYTES),
  keyId: bytesOf(KEY_ID_BYTES),
  model: modelRefSchema,
  sampling: samplingSchema,
  backend: labelSchema,
  appVersion: labelSchema,
  startedAt: timestampSchema,
  finishedAt: timestampSchema,
  tokens: tokenCountsSchema,
});
export type ReceiptBody = z.infer<typeof receiptBodySchema>;

/** A receipt whose signature verified, with the exact bytes for storage and later re-verification. */
export interface VerifiedReceipt extends ReceiptBody {
  readonly encoded: Uint8Array;
}

/** Signs a receipt body with the provider identity (label `veil/v1/receipt`). */
export function signReceipt(identity: IdentityKeyPair, body: ReceiptBody): Uint8Array {
  return signBody(identity, LABEL_RECEIPT, receiptBodySchema, body, 'signReceipt');
}

/**
 * Verifies a receipt's encoding and signature under `identityKey` (any party holding the receipt can do this later).
 * Binding to a particular request is checked by `ResponseStreamReader`.
 */
export async function verifyReceipt(encoded: Uint8Array, identityKey: Uint8Array): Promise<VerifiedReceipt> {
  await getSodium();
  return verifyReceiptSync(encoded, identityKey);
}

/** `verifyReceipt` for callers that already awaited `getSodium()`. */
export function verifyReceiptSync(encoded: Uint8Array, identityKey: Uint8Array): VerifiedReceipt {
  const operation = 'verifyReceipt';
  const { envelope, body } = decodeSignedBody(encoded, receiptBodySchema, operation);
  assertEnvelopeSignature(envelope, LABEL_RECEIPT, identityKey, operation);
  return { ...body, encoded: Uint8Array.from(encoded) };
}

import { z } from 'zod';
import { HASH_BYTES, KEY_ID_BYTES, PROVIDER_ID_BYTES, REQUEST_ID_BYTES } from '../crypto/constants';
import type { IdentityKeyPair } from '../crypto/IdentityKeyPair';
import { getSodium } from '../crypto/sodium';
import { LABEL_USAGE_RECORD, PROTOCOL_VERSION } from './constants';
import { bytesOf, modelRefSchema, timestampSchema, tokenCountsSchema } from './schemas';
import { assertEnvelopeSignature, decodeSignedBody, signBody } from './signedEnvelope';

/**
 * The signed usage record the provider gives the coordinator for billing (docs/PROTOCOL.md §7). It holds no content:
 * only ids, counts, times and a keyed commitment to the transcript, which the coordinator cannot test guesses against.
 */
export const usageRecordBodySchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  providerId: bytesOf(PROVIDER_ID_BYTES),
  keyId: bytesOf(KEY_ID_BYTES),
  requestId: bytesOf(REQUEST_ID_BYTES),
  sealedRequestHash: bytesOf(HASH_BYTES),
  model: modelRefSchema,
  tokens: tokenCountsSchema,
  startedAt: timestampSchema,
  finishedAt: timestampSchema,
  transcriptCommitment: bytesOf(HASH_BYTES),
});
export type UsageRecordBody = z.infer<typeof usageRecordBodySchema>;

/** A usage record whose signature verified. */
export interface VerifiedUsageRecord extends UsageRecordBody {
  readonly encoded: Uint8Array;
}

/** Signs a usage record (label `veil/v1/usage-record`). */
export function signUsageRecord(identity: IdentityKeyPair, body: UsageRecordBody): Uint8Array {
  return signBody(identity, LABEL_USAGE_RECORD, usageRecordBodySchema, body, 'signUsageRecord');
}

/** Verifies a usage record's encoding and signature under the provider's identity key (the coordinator's check). */
export async function verifyUsageRecord(
  encoded: Uint8Array,
  identityKey: Uint8Array,
): Promise<VerifiedUsageRecord> {
  await getSodium();
  const operation = 'verifyUsageRecord';
  const { envelope, body } = decodeSignedBody(encoded, usageRecordBodySchema, operation);
  assertEnvelopeSignature(envelope, LABEL_USAGE_RECORD, identityKey, operation);
  return { ...body, encoded: Uint8Array.from(encoded) };
}

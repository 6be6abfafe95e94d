import { z } from 'zod';
import {
  ED25519_PUBLIC_KEY_BYTES,
  KEY_ID_BYTES,
  PROVIDER_ID_BYTES,
  X25519_PUBLIC_KEY_BYTES,
} from '../crypto/constants';
import { constantTimeEqual } from '../crypto/bytes';
import type { EpochKeyPair } from '../crypto/EpochKeyPair';
import { keyIdOf } from '../crypto/EpochKeyPair';
import type { IdentityKeyPair } from '../crypto/IdentityKeyPair';
import { providerIdOf } from '../crypto/IdentityKeyPair';
import { getSodium } from '../crypto/sodium';
import {
  CLOCK_SKEW_MS,
  LABEL_KEY_CERTIFICATE,
  MAX_CERTIFICATE_VALIDITY_MS,
  PROTOCOL_VERSION,
} from './constants';
import { ProtocolError } from './ProtocolError';
import { assertEnvelopeSignature, decodeSignedBody, signBody } from './signedEnvelope';
import { bytesOf, labelSchema, modelRefSchema, timestampSchema } from './schemas';
import type { ModelRef } from './schemas';

const keyCertificateBodySchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  providerId: bytesOf(PROVIDER_ID_BYTES),
  identityKey: bytesOf(ED25519_PUBLIC_KEY_BYTES),
  keyId: bytesOf(KEY_ID_BYTES),
  publicKey: bytesOf(X25519_PUBLIC_KEY_BYTES),
  notBefore: timestampSchema,
  notAfter: timestampSchema,
  models: z.array(modelRefSchema).max(64),
  backend: labelSchema,
  appVersion: labelSchema,
});

/** The signed content of a key certificate (docs/PROTOCOL.md §4). */
export type KeyCertificateBody = z.infer<typeof keyCertificateBodySchema>;

/** A certificate whose signature, self-consistency and validity window were checked; not yet checked against a pin. */
export interface VerifiedKeyCertificate extends KeyCertificateBody {
  /** The exact bytes that were verified, for relaying and storage. */
  readonly encoded: Uint8Array;
}

/** What `issueKeyCertificate` needs besides the keys. */
export interface IssueKeyCertificateOptions {
  /** Start of validity, ms since the epoch. */
  readonly notBefore: number;
  /** End of validity, ms since the epoch. */
  readonly notAfter: number;
  /** Models this provider serves with this key. */
  readonly models: ReadonlyArray<ModelRef>;
  /** Inference backend label, e.g. `cpu`, `metal`, `cuda`, `vulkan`. */
  readonly backend: string;
  /** Provider app version. */
  readonly appVersion: string;
}

/** Signs a certificate for `epoch` with `identity`. */
export async function issueKeyCertificate(
  identity: IdentityKeyPair,
  epoch: EpochKeyPair,
  options: IssueKeyCertificateOptions,
): Promise<Uint8Array> {
  await getSodium();
  const body: KeyCertificateBody = {
    v: PROTOCOL_VERSION,
    providerId: identity.providerId,
    identityKey: identity.publicKey,
    keyId: epoch.keyId,
    publicKey: epoch.publicKey,
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    models: options.models.map((model) => ({ id: model.id, sha256: model.sha256 })),
    backend: options.backend,
    appVersion: options.appVersion,
  };
  return signBody(identity, LABEL_KEY_CERTIFICATE, keyCertificateBodySchema, body, 'issueKeyCertificate');
}

/** Options of `verifyKeyCertificate`. */
export interface VerifyKeyCertificateOptions {
  /** Current time in ms. */
  readonly now: number;
  /** When given, the certificate must be for this provider id. Defaults to accepting any provider. */
  readonly expectedProviderId?: Uint8Array;
}

/**
 * Checks a key certificate: canonical encoding, version, signature by the identity key it names, provider id = hash
 * of that key, key id = hash of the epoch key, validity window. It does NOT check the identity against a pin: that is
 * `PinStore.pin`, which requesters must call before sealing.
 */
export async function verifyKeyCertificate(
  encoded: Uint8Array,
  options: VerifyKeyCertificateOptions,
): Promise<VerifiedKeyCertificate> {
  await getSodium();
  const operation = 'verifyKeyCertificate';
  const { envelope, body } = decodeSignedBody(encoded, keyCertificateBodySchema, operation);
  assertEnvelopeSignature(envelope, LABEL_KEY_CERTIFICATE, body.identityKey, operation);
  if (!constantTimeEqual(providerIdOf(body.identityKey), body.providerId)) {
    throw new ProtocolError(
      'BAD_SIGNATURE',
      `${operation}: provider id is not the hash of the signing identity key`,
    );
  }
  if (!constantTimeEqual(keyIdOf(body.publicKey), body.keyId)) {
    throw new ProtocolError('MALFORMED', `${operation}: key id is not the hash of the epoch key`);
  }
  if (body.notAfter <= body.notBefore || body.notAfter - body.notBefore > MAX_CERTIFICATE_VALIDITY_MS) {
    throw new ProtocolError('MALFORMED', `${operation}: validity window is empty or longer than allowed`);
  }
  if (options.now + CLOCK_SKEW_MS < body.notBefore) {
    throw new ProtocolError('NOT_YET_VALID', `${operation}: certificate is not valid yet`);
  }
  if (options.now >= body.notAfter) {
    throw new ProtocolError('EXPIRED', `${operation}: certificate has expired`);
  }
  if (
    options.expectedProviderId !== undefined &&
    !constantTimeEqual(options.expectedProviderId, body.providerId)
  ) {
    throw new ProtocolError('WRONG_PROVIDER', `${operation}: certificate is for another provider`);
  }
  return { ...body, encoded: Uint8Array.from(encoded) };
}

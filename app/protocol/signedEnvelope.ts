import { z } from 'zod';
import { ED25519_SIGNATURE_BYTES } from '../crypto/constants';
import type { IdentityKeyPair } from '../crypto/IdentityKeyPair';
import { verifySignature } from '../crypto/IdentityKeyPair';
import { decodeCanonical, encodeCanonical } from './cbor';
import { MAX_SIGNED_OBJECT_BYTES } from './constants';
import { ProtocolError } from './ProtocolError';
import { assertVersion, bytesOf, bytesUpTo, parseWithSchema } from './schemas';

const signedEnvelopeSchema = z.strictObject({
  body: bytesUpTo(MAX_SIGNED_OBJECT_BYTES),
  signature: bytesOf(ED25519_SIGNATURE_BYTES),
});

/** A decoded `{body, signature}` envelope whose signature is not checked yet. */
export interface SignedEnvelope {
  /** The canonical CBOR bytes the signature covers (after the label). */
  readonly bodyBytes: Uint8Array;
  /** The body decoded from `bodyBytes`, still unvalidated. */
  readonly body: unknown;
  readonly signature: Uint8Array;
}

/** Encodes the `{body, signature}` envelope of certificates, receipts and usage records in canonical CBOR. */
export function encodeSignedEnvelope(bodyBytes: Uint8Array, signature: Uint8Array): Uint8Array {
  return encodeCanonical({ body: bodyBytes, signature });
}

/** Decodes an envelope and its body strictly (both canonical CBOR, size-limited). */
export function decodeSignedEnvelope(encoded: Uint8Array, operation: string): SignedEnvelope {
  const envelope = parseWithSchema(
    signedEnvelopeSchema,
    decodeCanonical(encoded, MAX_SIGNED_OBJECT_BYTES, operation),
    operation,
  );
  const body = decodeCanonical(envelope.body, MAX_SIGNED_OBJECT_BYTES, operation);
  return { bodyBytes: envelope.body, body, signature: envelope.signature };
}

/** Validates `body` with `schema`, then signs its canonical CBOR under `label` and wraps both in an envelope. */
export function signBody<T extends z.ZodType>(
  identity: IdentityKeyPair,
  label: string,
  schema: T,
  body: z.infer<T>,
  operation: string,
): Uint8Array {
  const bodyBytes = encodeCanonical(parseWithSchema(schema, body, operation));
  return encodeSignedEnvelope(bodyBytes, identity.sign(label, bodyBytes));
}

/** Decodes an envelope and checks its body's version, then its schema; the signature is not checked yet. */
export function decodeSignedBody<T extends z.ZodType>(
  encoded: Uint8Array,
  schema: T,
  operation: string,
): { readonly envelope: SignedEnvelope; readonly body: z.infer<T> } {
  const envelope = decodeSignedEnvelope(encoded, operation);
  assertVersion(envelope.body, operation);
  return { envelope, body: parseWithSchema(schema, envelope.body, operation) };
}

/** Throws `BAD_SIGNATURE` unless `envelope` is signed by `identityKey` under `label`. */
export function assertEnvelopeSignature(
  envelope: SignedEnvelope,
  label: string,
  identityKey: Uint8Array,
  operation: string,
): void {
  if (!verifySignature(label, envelope.bodyBytes, envelope.signature, identityKey)) {
    throw new ProtocolError('BAD_SIGNATURE', `${operation}: signature does not verify`);
  }
}

import { z } from 'zod';
import { fromBase64Url } from '../../crypto/base64url';
import { MODEL_SHA256_BYTES, PROVIDER_ID_BYTES } from '../../crypto/constants';
import { PROTOCOL_VERSION } from '../constants';

/** Largest JSON control message, in UTF-16 code units of the text (a sealed request of 1 MiB is ~1.4 MB in base64url). */
export const MAX_CONTROL_MESSAGE_CHARS = 2 * 1024 * 1024;

/** Base64url characters needed for `bytes` bytes (unpadded). */
export function base64UrlLength(bytes: number): number {
  return Math.ceil((bytes * 4) / 3);
}

/** Unpadded, canonical base64url of at most `maxBytes` bytes (and at least `minBytes`). */
export function base64UrlBytes(maxBytes: number, minBytes = 1) {
  return z
    .string()
    .max(base64UrlLength(maxBytes))
    .refine(
      (text) => {
        const bytes = fromBase64Url(text);
        return bytes !== undefined && bytes.length >= minBytes && bytes.length <= maxBytes;
      },
      { message: `must be base64url of ${minBytes}–${maxBytes} bytes` },
    );
}

/** A provider id in base64url (32 bytes). */
export const providerIdField = base64UrlBytes(PROVIDER_ID_BYTES, PROVIDER_ID_BYTES);

/** A coordinator-assigned job id: 16 random bytes in base64url. */
export const jobIdField = z
  .string()
  .regex(/^[A-Za-z0-9_-]{22}$/, { message: 'must be a 22-character job id' });

/** Stream frame index: 0 is the secretstream header, then one per encrypted chunk. */
export const frameSeqField = z.number().int().min(0).max(1_000_001);

/** Model as advertised in JSON. */
export const modelField = z.strictObject({
  id: z.string().min(1).max(256),
  sha256: base64UrlBytes(MODEL_SHA256_BYTES, MODEL_SHA256_BYTES),
});

/** Version field every control message carries. */
export const versionField = z.literal(PROTOCOL_VERSION);

/** Free-text but bounded and single-line (for error messages shown to people). */
export const shortTextField = z
  .string()
  .max(200)
  .regex(/^[^\n\r]*$/);

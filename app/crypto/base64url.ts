/** Unpadded base64url (RFC 4648 §5), the encoding of every binary field in JSON control messages and pin files. */
export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Strict unpadded base64url decoding: returns undefined for other alphabets, padding, or non-canonical trailing bits,
 * so one byte string has exactly one text form.
 */
export function fromBase64Url(text: string): Uint8Array | undefined {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  const bytes = new Uint8Array(Buffer.from(text, 'base64url'));
  if (toBase64Url(bytes) !== text) return undefined;
  return bytes;
}

import { loadedSodium } from './sodium';

/** Concatenates byte arrays into one new array. */
export function concatBytes(...parts: ReadonlyArray<Uint8Array>): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Constant-time equality for secrets, MACs and hashes: the loop never exits early, so timing reveals only the length
 * (which is public everywhere it is used).
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** Overwrites a buffer holding key material or plaintext with zeros. Safe to call twice. */
export function wipe(bytes: Uint8Array | undefined): void {
  if (bytes === undefined || bytes.length === 0) return;
  const sodium = loadedSodium();
  if (sodium !== undefined) sodium.memzero(bytes);
  else bytes.fill(0);
}

/** A copy of `bytes` that the caller owns (and may wipe) independently of the original. */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(bytes);
}

/** Lower-case hex, for map keys and test vectors (never for secrets in logs). */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Parses hex; returns undefined for anything that is not an even-length hex string. */
export function fromHex(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

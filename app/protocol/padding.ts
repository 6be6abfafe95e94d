import { MAX_REQUEST_BUCKET_BYTES, MIN_REQUEST_BUCKET_BYTES } from './constants';

/**
 * Padmé (Nikitin et al., PETS 2019): rounds `length` up so only its top ~log2(log2(L)) bits stay significant. Leaks
 * O(log log L) bits of the length at ≤ 12% worst-case overhead. Fixed points are exactly the possible results, so the
 * function is idempotent.
 */
export function padmeLength(length: number): number {
  if (!Number.isSafeInteger(length) || length < 0 || length > 2 ** 30) {
    throw new RangeError('padmeLength: length must be an integer in [0, 2^30]');
  }
  if (length < 2) return length;
  const exponent = 31 - Math.clz32(length);
  const mantissaBits = 32 - Math.clz32(exponent);
  const droppedBits = exponent - mantissaBits;
  const mask = (1 << droppedBits) - 1;
  return (length + mask) & ~mask;
}

/**
 * The padded size of an inner request of `plaintextLength` bytes: Padmé of the length plus the one-byte 0x80 marker,
 * but never below `MIN_REQUEST_BUCKET_BYTES`. Returns undefined when no bucket fits (over `MAX_REQUEST_BUCKET_BYTES`).
 */
export function requestBucketFor(plaintextLength: number): number | undefined {
  const bucket = Math.max(MIN_REQUEST_BUCKET_BYTES, padmeLength(plaintextLength + 1));
  return bucket <= MAX_REQUEST_BUCKET_BYTES ? bucket : undefined;
}

/** Whether `size` is a size a padded inner request may have (a check on the outer header's bucket field). */
export function isRequestBucket(size: number): boolean {
  if (!Number.isSafeInteger(size) || size < MIN_REQUEST_BUCKET_BYTES || size > MAX_REQUEST_BUCKET_BYTES)
    return false;
  return size === MIN_REQUEST_BUCKET_BYTES || padmeLength(size) === size;
}

/** ISO/IEC 7816-4 padding to exactly `size` bytes: data ‖ 0x80 ‖ 0x00…; undefined when data does not fit. */
export function padTo(data: Uint8Array, size: number): Uint8Array | undefined {
  if (data.length + 1 > size) return undefined;
  const out = new Uint8Array(size);
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

/** ISO/IEC 7816-4 padding to the next multiple of `block` (always at least one padding byte). */
export function padToBlock(data: Uint8Array, block: number): Uint8Array {
  const size = Math.ceil((data.length + 1) / block) * block;
  const padded = padTo(data, size);
  if (padded === undefined) throw new RangeError('padToBlock: internal size error');
  return padded;
}

/**
 * Removes ISO/IEC 7816-4 padding; returns a view into `padded` (no copy), or undefined when the padding is invalid.
 * Runs only on authenticated plaintext, so its timing reveals nothing an attacker controls.
 */
export function unpad(padded: Uint8Array): Uint8Array | undefined {
  let index = padded.length - 1;
  while (index >= 0 && padded[index] === 0) index--;
  if (index < 0 || padded[index] !== 0x80) return undefined;
  return padded.subarray(0, index);
}

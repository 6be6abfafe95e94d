import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_REQUEST_BUCKET_BYTES, MIN_REQUEST_BUCKET_BYTES } from './constants';
import { isRequestBucket, padmeLength, padTo, padToBlock, requestBucketFor, unpad } from './padding';

describe('padding (PROTOCOL.md §5.3)', () => {
  it('matches the Padmé paper for known lengths', () => {
    // Worked from the definition: E = floor(log2 L), S = floor(log2 E) + 1, round up to a multiple of 2^(E-S).
    expect(padmeLength(1000)).toBe(1024);
    expect(padmeLength(9000)).toBe(9216);
    expect(padmeLength(256)).toBe(256);
    expect(padmeLength(257)).toBe(272); // E=8, S=4 → multiple of 16
    expect(padmeLength(100_000)).toBe(100_352);
  });

  it('never shrinks, costs at most 12%, and is idempotent (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: MAX_REQUEST_BUCKET_BYTES }), (length) => {
        const padded = padmeLength(length);
        expect(padded).toBeGreaterThanOrEqual(length);
        expect(padded / length).toBeLessThanOrEqual(1.12);
        expect(padmeLength(padded)).toBe(padded);
      }),
      { numRuns: 2000 },
    );
  });

  it('derives valid buckets for every plaintext length, including around every bucket boundary (property)', () => {
    const boundaries: number[] = [];
    for (
      let size = MIN_REQUEST_BUCKET_BYTES;
      size <= MAX_REQUEST_BUCKET_BYTES;
      size = padmeLength(size + 1)
    ) {
      boundaries.push(size);
    }
    for (const boundary of boundaries) {
      for (const length of [boundary - 2, boundary - 1, boundary]) {
        const bucket = requestBucketFor(length);
        if (bucket === undefined) {
          expect(length + 1).toBeGreaterThan(MAX_REQUEST_BUCKET_BYTES);
          continue;
        }
        expect(isRequestBucket(bucket)).toBe(true);
        expect(bucket).toBeGreaterThanOrEqual(length + 1);
      }
    }
    expect(requestBucketFor(MAX_REQUEST_BUCKET_BYTES)).toBeUndefined();
    expect(isRequestBucket(MIN_REQUEST_BUCKET_BYTES - 1)).toBe(false);
    expect(isRequestBucket(MIN_REQUEST_BUCKET_BYTES + 1)).toBe(false);
  });

  it('round-trips pad/unpad for any content, including trailing zeros and 0x80 bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 0, max: 100 }), (data, extra) => {
        const padded = padTo(data, data.length + 1 + extra);
        expect(padded).toBeDefined();
        expect(unpad(padded ?? new Uint8Array())).toEqual(data);
        const blocked = padToBlock(data, 64);
        expect(blocked.length % 64).toBe(0);
        expect(unpad(blocked)).toEqual(data);
      }),
    );
  });

  it('rejects invalid padding', () => {
    expect(unpad(new Uint8Array(16))).toBeUndefined();
    expect(unpad(Uint8Array.of(1, 2, 3))).toBeUndefined();
    expect(padTo(new Uint8Array(10), 10)).toBeUndefined();
  });
});

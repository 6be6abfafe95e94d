import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { float32ToFloat16 } from './float32ToFloat16';

/** Independent decoder: half bits → number, straight from the IEEE 754 definition. */
function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

describe('float32ToFloat16', () => {
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff],
    [65520, 0x7c00], // halfway to 65536 rounds to even, which overflows
    [1e6, 0x7c00],
    [-Infinity, 0xfc00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // halfway to the smallest subnormal: ties to even (0)
    [3 * 2 ** -25, 0x0002], // halfway between 1 and 2 subnormal units: ties to even (2)
    [1 + 2 ** -11, 0x3c00], // halfway between 1 and the next half: ties to even (1)
    [1 + 3 * 2 ** -11, 0x3c02],
  ])('converts %d to 0x%s', (value, bits) => {
    expect(float32ToFloat16(value)).toBe(bits);
  });

  it('keeps NaN a NaN', () => {
    const bits = float32ToFloat16(NaN);
    expect((bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0).toBe(true);
  });

  it('returns the nearest half, ties to even, for any finite float32', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true, min: -65504, max: 65504 }), (value) => {
        const bits = float32ToFloat16(value);
        const half = float16ToNumber(bits);
        const error = Math.abs(half - value);
        // Neighbours in magnitude (same sign): no representable half is strictly closer.
        for (const neighbour of [bits - 1, bits + 1]) {
          if ((neighbour & 0x7fff) > 0x7bff || (neighbour & 0x7fff) === 0x7fff) continue;
          if ((neighbour & 0x8000) !== (bits & 0x8000)) continue;
          const other = Math.abs(float16ToNumber(neighbour) - value);
          expect(error).toBeLessThanOrEqual(other);
          if (error === other) expect(bits & 1).toBe(0);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

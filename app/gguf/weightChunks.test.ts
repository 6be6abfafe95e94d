import { describe, expect, it } from 'vitest';
import { float32ToFloat16 } from './float32ToFloat16';
import { SeededRandom } from './SeededRandom';
import { constantWeightChunks, normalWeightChunks } from './weightChunks';

function concat(chunks: Iterable<Uint8Array>): Buffer {
  const parts: Buffer[] = [];
  for (const chunk of chunks) parts.push(Buffer.from(chunk)); // the generator reuses its chunk: copy it now
  return Buffer.concat(parts);
}

describe('SeededRandom', () => {
  it('repeats a sequence for one seed and differs between seeds', () => {
    const draw = (seed: number): number[] => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 8 }, () => random.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(42).every((value) => Number.isInteger(value) && value >= 0 && value < 2 ** 32)).toBe(true);
  });

  it('derives different seeds from different strings', () => {
    expect(SeededRandom.seedFromString('a:blk.0')).toBe(SeededRandom.seedFromString('a:blk.0'));
    expect(SeededRandom.seedFromString('a:blk.0')).not.toBe(SeededRandom.seedFromString('a:blk.1'));
  });
});

describe('normalWeightChunks', () => {
  it('produces exactly count elements across chunk boundaries, identically on every call', () => {
    const count = (1 << 20) + 3;
    const first = concat(normalWeightChunks(count, 'F32', 7, 0.02));
    expect(first.length).toBe(count * 4);
    expect(concat(normalWeightChunks(count, 'F32', 7, 0.02)).equals(first)).toBe(true);
    expect(concat(normalWeightChunks(count, 'F32', 8, 0.02)).equals(first)).toBe(false);
    // The last, partial chunk carries fresh values rather than a repeat of the first chunk's.
    expect(first.subarray(count * 4 - 12).equals(first.subarray(0, 12))).toBe(false);
  });

  it('has mean 0 and the requested standard deviation', () => {
    const bytes = concat(normalWeightChunks(200_000, 'F32', 1, 0.02));
    const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.0005);
    expect(Math.sqrt(variance)).toBeCloseTo(0.02, 3);
  });

  it('gives F16 weights that are the F32 weights rounded to half precision', () => {
    const f32 = concat(normalWeightChunks(5000, 'F32', 3, 0.02));
    const f16 = concat(normalWeightChunks(5000, 'F16', 3, 0.02));
    const singles = new Float32Array(f32.buffer, f32.byteOffset, 5000);
    const halves = new Uint16Array(f16.buffer, f16.byteOffset, 5000);
    expect(Array.from(halves)).toEqual(Array.from(singles, float32ToFloat16));
  });
});

describe('constantWeightChunks', () => {
  it('repeats the value count times', () => {
    const bytes = concat(constantWeightChunks(10, 'F32', 1));
    expect(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, 10))).toEqual(Array(10).fill(1));
    const halves = concat(constantWeightChunks(3, 'F16', 1));
    expect(Array.from(new Uint16Array(halves.buffer, halves.byteOffset, 3))).toEqual([
      0x3c00, 0x3c00, 0x3c00,
    ]);
  });
});

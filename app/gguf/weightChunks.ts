import { float32ToFloat16 } from './float32ToFloat16';
import type { GgufTensorType } from './GgufTensorSpec';
import { GGML_TYPE_BYTES } from './GgufTensorSpec';
import { SeededRandom } from './SeededRandom';

const CHUNK_ELEMENTS = 1 << 20;

/**
 * An approximately normal variate with mean 0 and standard deviation 1 is the sum of the four bytes of one random
 * uint32 (Irwin–Hall with 4 discrete uniforms), centred and scaled. It needs no transcendental functions, so it is
 * bit-for-bit reproducible everywhere, and it takes only 1021 distinct values, which lets F16 use a lookup table.
 */
const BYTE_SUM_MEAN = 510;
const BYTE_SUM_STDDEV = Math.sqrt((4 * (256 * 256 - 1)) / 12);
const BYTE_SUM_VALUES = 1021;

function byteSum(value: number): number {
  return (value & 0xff) + ((value >>> 8) & 0xff) + ((value >>> 16) & 0xff) + (value >>> 24);
}

function normalTable(stddev: number): Float64Array {
  const table = new Float64Array(BYTE_SUM_VALUES);
  for (let sum = 0; sum < BYTE_SUM_VALUES; sum++) {
    table[sum] = ((sum - BYTE_SUM_MEAN) / BYTE_SUM_STDDEV) * stddev;
  }
  return table;
}

/**
 * Raw little-endian bytes of `count` approximately normal weights (mean 0, `stddev`), from a PRNG seeded with `seed`,
 * in chunks of at most 1 Mi elements. The same arguments always give the same bytes. The yielded chunk is reused.
 */
export function* normalWeightChunks(
  count: number,
  type: GgufTensorType,
  seed: number,
  stddev: number,
): Generator<Uint8Array> {
  const random = new SeededRandom(seed);
  const values = normalTable(stddev);
  const chunkElements = Math.min(count, CHUNK_ELEMENTS);
  if (type === 'F32') {
    const table = Float32Array.from(values);
    const out = new Float32Array(chunkElements);
    for (let done = 0; done < count; done += chunkElements) {
      const n = Math.min(chunkElements, count - done);
      for (let i = 0; i < n; i++) out[i] = table[byteSum(random.nextUint32())] ?? 0;
      yield littleEndianBytes(out, n, type);
    }
    return;
  }
  const table = Uint16Array.from(values, float32ToFloat16);
  const out = new Uint16Array(chunkElements);
  for (let done = 0; done < count; done += chunkElements) {
    const n = Math.min(chunkElements, count - done);
    for (let i = 0; i < n; i++) out[i] = table[byteSum(random.nextUint32())] ?? 0;
    yield littleEndianBytes(out, n, type);
  }
}

/** Raw little-endian bytes of `count` copies of `value` (e.g. 1.0 for norm weights). */
export function* constantWeightChunks(
  count: number,
  type: GgufTensorType,
  value: number,
): Generator<Uint8Array> {
  const chunkElements = Math.min(count, CHUNK_ELEMENTS);
  const out =
    type === 'F32'
      ? new Float32Array(chunkElements).fill(value)
      : new Uint16Array(chunkElements).fill(float32ToFloat16(value));
  for (let done = 0; done < count; done += chunkElements) {
    yield littleEndianBytes(out, Math.min(chunkElements, count - done), type);
  }
}

const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function littleEndianBytes(
  array: Float32Array | Uint16Array,
  count: number,
  type: GgufTensorType,
): Uint8Array {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, count * GGML_TYPE_BYTES[type]);
  if (IS_LITTLE_ENDIAN) return bytes;
  const swapped = Buffer.from(bytes);
  if (type === 'F32') swapped.swap32();
  else swapped.swap16();
  return swapped;
}

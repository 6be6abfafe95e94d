import { randomUUID } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { missingCaseError } from '../errors/missingCaseError';
import { BufferedFileSink } from './BufferedFileSink';
import { GgufByteBuilder } from './GgufByteBuilder';
import {
  GGUF_VALUE_TYPE_CODES,
  type GgufMetadataEntry,
  type GgufMetadataValue,
  type GgufScalarType,
} from './GgufMetadataValue';
import { GGML_TYPE_BYTES, GGML_TYPE_CODES, type GgufTensorSpec, tensorElementCount } from './GgufTensorSpec';
import { GgufWriteError } from './GgufWriteError';

const GGUF_MAGIC = new Uint8Array([0x47, 0x47, 0x55, 0x46]); // "GGUF"
const GGUF_VERSION = 3;
const GGUF_ALIGNMENT_KEY = 'general.alignment';
/** ggml stores names in a 64-byte field including the terminating NUL (GGML_MAX_NAME). */
const MAX_TENSOR_NAME_BYTES = 63;
/** ggml tensors have at most 4 dimensions (GGML_MAX_DIMS). */
const MAX_TENSOR_DIMS = 4;

/** What to write. */
export interface WriteGgufInput {
  /** Metadata in file order. Must not contain `general.alignment`; the writer adds it from `alignment`. */
  readonly metadata: readonly GgufMetadataEntry[];
  /** Tensors in file order; their data is laid out in the same order. */
  readonly tensors: readonly GgufTensorSpec[];
  /** Alignment of the data section and of every tensor in it. Defaults to 32 (llama.cpp's default). */
  readonly alignment?: number;
}

/** What was written. */
export interface WriteGgufResult {
  readonly path: string;
  /** File size in bytes. */
  readonly size: number;
  /** sha256 of the whole file, lowercase hex, computed while writing. */
  readonly sha256: string;
}

/**
 * Writes a GGUF v3 file (little-endian) to `filePath` atomically: the bytes go to a uniquely named temporary file
 * beside it, which is renamed over `filePath` only once complete and synced, so readers never see a partial file and
 * concurrent writers of the same content cannot corrupt each other.
 */
export async function writeGguf(filePath: string, input: WriteGgufInput): Promise<WriteGgufResult> {
  const alignment = input.alignment ?? 32;
  validateInput(input, alignment);
  const header = encodeHeader(input, alignment);

  const tmpPath = `${filePath}.tmp-${process.pid}-${randomUUID()}`;
  let handle;
  try {
    handle = await open(tmpPath, 'wx');
  } catch (error) {
    throw new GgufWriteError(`writeGguf: cannot create a temporary file beside ${filePath}`, {
      cause: error,
    });
  }
  try {
    const sink = new BufferedFileSink(handle);
    await sink.write(header);
    const dataStart = sink.position;
    for (const tensor of input.tensors) {
      await sink.padTo(alignment);
      const expected = tensorByteSize(tensor);
      const start = sink.position;
      for await (const chunk of tensor.data()) {
        if (sink.position - start + chunk.length > expected) {
          throw new GgufWriteError(`writeGguf: tensor ${tensor.name} produced more than ${expected} bytes`);
        }
        await sink.write(chunk);
      }
      if (sink.position - start !== expected) {
        throw new GgufWriteError(
          `writeGguf: tensor ${tensor.name} produced ${sink.position - start} bytes, expected ${expected}`,
        );
      }
    }
    // Pad the end too, so the file size matches what llama.cpp's own writer produces for the same content.
    if (sink.position > dataStart) await sink.padTo(alignment);
    const size = sink.position;
    const sha256 = await sink.finish();
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmpPath, filePath);
    return { path: filePath, size, sha256 };
  } catch (error) {
    await handle?.close();
    await rm(tmpPath, { force: true });
    if (error instanceof GgufWriteError) throw error;
    throw new GgufWriteError(`writeGguf: failed to write ${filePath}`, { cause: error });
  }
}

function tensorByteSize(tensor: GgufTensorSpec): number {
  return tensorElementCount(tensor.shape) * GGML_TYPE_BYTES[tensor.type];
}

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

function validateInput(input: WriteGgufInput, alignment: number): void {
  if (!Number.isInteger(alignment) || alignment <= 0 || alignment % 8 !== 0) {
    throw new GgufWriteError(`writeGguf: alignment must be a positive multiple of 8, got ${alignment}`);
  }
  const keys = new Set<string>();
  for (const { key, value } of input.metadata) {
    if (key === '') throw new GgufWriteError('writeGguf: empty metadata key');
    if (key === GGUF_ALIGNMENT_KEY) {
      throw new GgufWriteError(`writeGguf: pass alignment as an option, not as ${GGUF_ALIGNMENT_KEY}`);
    }
    if (keys.has(key)) throw new GgufWriteError(`writeGguf: duplicate metadata key ${key}`);
    keys.add(key);
    validateValue(key, value);
  }
  const names = new Set<string>();
  for (const tensor of input.tensors) {
    const nameBytes = new TextEncoder().encode(tensor.name).length;
    if (nameBytes === 0 || nameBytes > MAX_TENSOR_NAME_BYTES) {
      throw new GgufWriteError(
        `writeGguf: tensor name must be 1..${MAX_TENSOR_NAME_BYTES} bytes: ${tensor.name}`,
      );
    }
    if (names.has(tensor.name)) throw new GgufWriteError(`writeGguf: duplicate tensor ${tensor.name}`);
    names.add(tensor.name);
    if (tensor.shape.length === 0 || tensor.shape.length > MAX_TENSOR_DIMS) {
      throw new GgufWriteError(`writeGguf: tensor ${tensor.name} must have 1..${MAX_TENSOR_DIMS} dimensions`);
    }
    if (!tensor.shape.every((dim) => Number.isSafeInteger(dim) && dim > 0)) {
      throw new GgufWriteError(
        `writeGguf: tensor ${tensor.name} has a dimension that is not a positive integer`,
      );
    }
  }
}

const INTEGER_RANGES: Readonly<
  Record<'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32', [number, number]>
> = {
  uint8: [0, 0xff],
  int8: [-0x80, 0x7f],
  uint16: [0, 0xffff],
  int16: [-0x8000, 0x7fff],
  uint32: [0, 0xffffffff],
  int32: [-0x80000000, 0x7fffffff],
};

function validateScalar(key: string, type: GgufScalarType, value: unknown): void {
  const fail = (): never => {
    throw new GgufWriteError(`writeGguf: metadata ${key} has a value that is not a valid ${type}`);
  };
  switch (type) {
    case 'uint8':
    case 'int8':
    case 'uint16':
    case 'int16':
    case 'uint32':
    case 'int32': {
      const [min, max] = INTEGER_RANGES[type];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail();
      return;
    }
    case 'uint64':
    case 'int64': {
      if (typeof value === 'number' && !Number.isSafeInteger(value)) fail();
      if (typeof value !== 'number' && typeof value !== 'bigint') fail();
      const big = BigInt(value as number | bigint);
      const ok = type === 'uint64' ? BigInt.asUintN(64, big) === big : BigInt.asIntN(64, big) === big;
      if (!ok) fail();
      return;
    }
    case 'float32':
    case 'float64':
      if (typeof value !== 'number') fail();
      return;
    case 'bool':
      if (typeof value !== 'boolean') fail();
      return;
    case 'string':
      if (typeof value !== 'string') fail();
      return;
    default:
      throw missingCaseError(type);
  }
}

function validateValue(key: string, value: GgufMetadataValue): void {
  if (value.type === 'array') {
    for (const item of value.values) validateScalar(key, value.itemType, item);
    return;
  }
  validateScalar(key, value.type, value.value);
}

function encodeHeader(input: WriteGgufInput, alignment: number): Uint8Array {
  const out = new GgufByteBuilder();
  out.raw(GGUF_MAGIC);
  out.u32(GGUF_VERSION);
  out.u64(BigInt(input.tensors.length));
  out.u64(BigInt(input.metadata.length + 1));
  for (const { key, value } of input.metadata) {
    out.string(key);
    encodeValue(out, value);
  }
  out.string(GGUF_ALIGNMENT_KEY);
  encodeValue(out, { type: 'uint32', value: alignment });

  let offset = 0;
  for (const tensor of input.tensors) {
    out.string(tensor.name);
    out.u32(tensor.shape.length);
    for (const dim of tensor.shape) out.u64(BigInt(dim));
    out.u32(GGML_TYPE_CODES[tensor.type]);
    out.u64(BigInt(offset));
    offset = alignUp(offset + tensorByteSize(tensor), alignment);
  }
  out.padTo(alignment);
  return out.finish();
}

function encodeValue(out: GgufByteBuilder, value: GgufMetadataValue): void {
  out.u32(GGUF_VALUE_TYPE_CODES[value.type]);
  if (value.type === 'array') {
    out.u32(GGUF_VALUE_TYPE_CODES[value.itemType]);
    out.u64(BigInt(value.values.length));
    for (const item of value.values) encodeScalar(out, value.itemType, item);
    return;
  }
  encodeScalar(out, value.type, value.value);
}

/** Values were validated against `type` before encoding, so the casts only restate that. */
function encodeScalar(
  out: GgufByteBuilder,
  type: GgufScalarType,
  value: number | bigint | boolean | string,
): void {
  switch (type) {
    case 'uint8':
      return out.u8(value as number);
    case 'int8':
      return out.i8(value as number);
    case 'uint16':
      return out.u16(value as number);
    case 'int16':
      return out.i16(value as number);
    case 'uint32':
      return out.u32(value as number);
    case 'int32':
      return out.i32(value as number);
    case 'uint64':
      return out.u64(BigInt(value as number | bigint));
    case 'int64':
      return out.i64(BigInt(value as number | bigint));
    case 'float32':
      return out.f32(value as number);
    case 'float64':
      return out.f64(value as number);
    case 'bool':
      return out.u8(value ? 1 : 0);
    case 'string':
      return out.string(value as string);
    default:
      throw missingCaseError(type);
  }
}

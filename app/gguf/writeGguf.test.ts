import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GgmlType, readGgufFileInfo } from 'node-llama-cpp';
import { afterEach, describe, expect, it } from 'vitest';
import type { GgufMetadataEntry } from './GgufMetadataValue';
import type { GgufTensorSpec } from './GgufTensorSpec';
import { GgufWriteError } from './GgufWriteError';
import { sha256File } from './sha256File';
import { writeGguf } from './writeGguf';

const tempDirs: string[] = [];
async function tempFile(name = 'model.gguf'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'veil-gguf-'));
  tempDirs.push(dir);
  return path.join(dir, name);
}

afterEach(async () => {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Distinct, recognisable bytes for each tensor, so misplaced data shows up. */
function patternBytes(length: number, salt: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + salt * 7 + 1) & 0xff);
}

function bytesTensor(
  name: string,
  shape: number[],
  type: 'F32' | 'F16',
  salt: number,
  chunk = 5,
): GgufTensorSpec {
  const bytes = patternBytes(shape.reduce((a, b) => a * b, 1) * (type === 'F32' ? 4 : 2), salt);
  return {
    name,
    shape,
    type,
    // Odd-sized chunks prove the writer does not depend on chunk boundaries.
    *data() {
      for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
    },
  };
}

const METADATA: GgufMetadataEntry[] = [
  { key: 'general.architecture', value: { type: 'string', value: 'llama' } },
  { key: 'general.name', value: { type: 'string', value: 'Ünïcode ✓ name' } },
  { key: 'test.u8', value: { type: 'uint8', value: 255 } },
  { key: 'test.i8', value: { type: 'int8', value: -128 } },
  { key: 'test.u16', value: { type: 'uint16', value: 65535 } },
  { key: 'test.i16', value: { type: 'int16', value: -32768 } },
  { key: 'test.u32', value: { type: 'uint32', value: 4294967295 } },
  { key: 'test.i32', value: { type: 'int32', value: -2147483648 } },
  { key: 'test.u64', value: { type: 'uint64', value: 2n ** 63n + 5n } },
  { key: 'test.i64', value: { type: 'int64', value: -(2n ** 62n) } },
  { key: 'test.f32', value: { type: 'float32', value: 1.5 } },
  { key: 'test.f64', value: { type: 'float64', value: 0.1 } },
  { key: 'test.yes', value: { type: 'bool', value: true } },
  { key: 'test.no', value: { type: 'bool', value: false } },
  { key: 'test.strings', value: { type: 'array', itemType: 'string', values: ['', 'a', '▁word', '<0x0A>'] } },
  { key: 'test.floats', value: { type: 'array', itemType: 'float32', values: [0, -0.5, 2.25] } },
  { key: 'test.ints', value: { type: 'array', itemType: 'int32', values: [1, -2, 3] } },
  { key: 'test.empty', value: { type: 'array', itemType: 'uint8', values: [] } },
];

describe('writeGguf', () => {
  it('writes metadata and tensors that node-llama-cpp parses back exactly', async () => {
    const filePath = await tempFile();
    const tensors = [
      bytesTensor('a.weight', [3, 5], 'F32', 1),
      bytesTensor('b.weight', [7], 'F16', 2),
      bytesTensor('c.weight', [2, 3, 4, 5], 'F16', 3, 64),
    ];
    const result = await writeGguf(filePath, { metadata: METADATA, tensors });

    const info = await readGgufFileInfo(filePath, { sourceType: 'filesystem', logWarnings: false });
    expect(info.version).toBe(3);
    const metadata = info.metadata as unknown as Record<string, Record<string, unknown>>;
    expect(metadata.general).toEqual({ architecture: 'llama', name: 'Ünïcode ✓ name', alignment: 32 });
    expect(metadata.test).toEqual({
      u8: 255,
      i8: -128,
      u16: 65535,
      i16: -32768,
      u32: 4294967295,
      i32: -2147483648,
      u64: 2n ** 63n + 5n,
      i64: -(2n ** 62n),
      f32: 1.5,
      f64: 0.1,
      yes: true,
      no: false,
      strings: ['', 'a', '▁word', '<0x0A>'],
      floats: [0, -0.5, 2.25],
      ints: [1, -2, 3],
      empty: [],
    });

    expect(
      info.tensorInfo?.map(({ name, dimensions, ggmlType }) => ({ name, dimensions, ggmlType })),
    ).toEqual([
      { name: 'a.weight', dimensions: [3, 5], ggmlType: GgmlType.F32 },
      { name: 'b.weight', dimensions: [7], ggmlType: GgmlType.F16 },
      { name: 'c.weight', dimensions: [2, 3, 4, 5], ggmlType: GgmlType.F16 },
    ]);

    const file = await readFile(filePath);
    expect(result.size).toBe(file.length);
    expect(result.sha256).toBe(await sha256File(filePath));
    expect(file.length % 32).toBe(0);
    const sizes = [60, 14, 240];
    info.tensorInfo?.forEach((tensor, index) => {
      const fileOffset = Number(tensor.fileOffset);
      expect(fileOffset % 32).toBe(0);
      expect(Number(tensor.offset) % 32).toBe(0);
      const size = sizes[index] ?? 0;
      expect(file.subarray(fileOffset, fileOffset + size)).toEqual(
        Buffer.from(patternBytes(size, index + 1)),
      );
    });
  });

  it('lays out the header byte for byte as the GGUF spec says', async () => {
    const filePath = await tempFile();
    await writeGguf(filePath, {
      metadata: [{ key: 'k', value: { type: 'uint16', value: 0x1234 } }],
      tensors: [bytesTensor('t', [2], 'F16', 9)],
    });
    const file = await readFile(filePath);
    const expected = Buffer.concat([
      Buffer.from('GGUF'),
      u32(3),
      u64(1), // tensors
      u64(2), // kv entries: k and general.alignment
      u64(1),
      Buffer.from('k'),
      u32(2),
      Buffer.from([0x34, 0x12]),
      u64(17),
      Buffer.from('general.alignment'),
      u32(4),
      u32(32),
      u64(1),
      Buffer.from('t'),
      u32(1), // n_dims
      u64(2),
      u32(1), // F16
      u64(0), // offset
    ]);
    expect(file.subarray(0, expected.length)).toEqual(expected);
    const dataStart = Math.ceil(expected.length / 32) * 32;
    expect(file.subarray(expected.length, dataStart).every((byte) => byte === 0)).toBe(true);
    expect(file.subarray(dataStart, dataStart + 4)).toEqual(Buffer.from(patternBytes(4, 9)));
    expect(file.length).toBe(dataStart + 32);
  });

  it('leaves neither the target nor a temporary file when tensor data fails midway', async () => {
    const filePath = await tempFile();
    await writeFile(filePath, 'previous content');
    const failing: GgufTensorSpec = {
      name: 'bad',
      shape: [1024],
      type: 'F32',
      *data() {
        yield new Uint8Array(100);
        throw new Error('generator broke');
      },
    };
    await expect(writeGguf(filePath, { metadata: METADATA, tensors: [failing] })).rejects.toThrow(
      GgufWriteError,
    );
    expect(await readFile(filePath, 'utf8')).toBe('previous content');
    expect(await readdir(path.dirname(filePath))).toEqual([path.basename(filePath)]);
  });

  it.each([
    ['too few bytes', 4096, /produced 4000 bytes, expected 4096/],
    ['too many bytes', 4000, /produced more than 4000 bytes/],
  ])('rejects a tensor whose data has %s', async (_label, shapeBytes, message) => {
    const filePath = await tempFile();
    const tensor: GgufTensorSpec = {
      name: 'wrong',
      shape: [shapeBytes / 4],
      type: 'F32',
      data: () => [new Uint8Array(4000), ...(shapeBytes === 4000 ? [new Uint8Array(4)] : [])],
    };
    await expect(writeGguf(filePath, { metadata: [], tensors: [tensor] })).rejects.toThrow(message);
    expect(await readdir(path.dirname(filePath))).toEqual([]);
  });

  it.each<[string, Parameters<typeof writeGguf>[1], RegExp]>([
    [
      'a duplicate key',
      { metadata: [METADATA[0]!, METADATA[0]!], tensors: [] },
      /duplicate metadata key general.architecture/,
    ],
    [
      'general.alignment in metadata',
      { metadata: [{ key: 'general.alignment', value: { type: 'uint32', value: 32 } }], tensors: [] },
      /alignment as an option/,
    ],
    [
      'an out-of-range uint8',
      { metadata: [{ key: 'x', value: { type: 'uint8', value: 256 } }], tensors: [] },
      /uint8/,
    ],
    [
      'a fractional int32',
      { metadata: [{ key: 'x', value: { type: 'int32', value: 1.5 } }], tensors: [] },
      /int32/,
    ],
    [
      'a negative uint64',
      { metadata: [{ key: 'x', value: { type: 'uint64', value: -1n } }], tensors: [] },
      /uint64/,
    ],
    [
      'a wrongly typed array item',
      {
        metadata: [{ key: 'x', value: { type: 'array', itemType: 'int8', values: [1, 200] } }],
        tensors: [],
      },
      /int8/,
    ],
    [
      'a 64-byte tensor name',
      { metadata: [], tensors: [bytesTensor('n'.repeat(64), [1], 'F32', 0)] },
      /name/,
    ],
    ['a zero dimension', { metadata: [], tensors: [bytesTensor('z', [4, 0], 'F32', 0)] }, /dimension/],
    [
      'five dimensions',
      { metadata: [], tensors: [bytesTensor('z', [1, 1, 1, 1, 1], 'F32', 0)] },
      /dimensions/,
    ],
    [
      'a duplicate tensor',
      { metadata: [], tensors: [bytesTensor('t', [1], 'F32', 0), bytesTensor('t', [1], 'F32', 0)] },
      /duplicate tensor t/,
    ],
    ['alignment 12', { metadata: [], tensors: [], alignment: 12 }, /alignment/],
  ])('rejects %s before creating any file', async (_label, input, message) => {
    const filePath = await tempFile();
    await expect(writeGguf(filePath, input)).rejects.toThrow(message);
    expect(await readdir(path.dirname(filePath))).toEqual([]);
  });

  it('honours a custom alignment', async () => {
    const filePath = await tempFile();
    await writeGguf(filePath, {
      metadata: [],
      tensors: [bytesTensor('a', [3], 'F32', 1), bytesTensor('b', [3], 'F32', 2)],
      alignment: 64,
    });
    const info = await readGgufFileInfo(filePath, { sourceType: 'filesystem', logWarnings: false });
    expect(info.metadata.general.alignment).toBe(64);
    expect(info.tensorInfo?.map((tensor) => Number(tensor.offset))).toEqual([0, 64]);
    expect(info.tensorInfo?.every((tensor) => Number(tensor.fileOffset) % 64 === 0)).toBe(true);
  });
});

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value);
  return buffer;
}

function u64(value: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64LE(BigInt(value));
  return buffer;
}

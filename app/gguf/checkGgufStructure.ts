import { open, type FileHandle } from 'node:fs/promises';

const GGUF_MAGIC = 'GGUF';
const SUPPORTED_VERSIONS: readonly number[] = [2, 3];
const DEFAULT_ALIGNMENT = 32;
const MAX_TENSOR_DIMS = 4;
/** Nested arrays are legal GGUF but unused in practice; a depth limit keeps a hostile file from recursing deeply. */
const MAX_ARRAY_NESTING = 4;
const READ_WINDOW_BYTES = 1024 * 1024;
/** Metadata keys are short dotted names; a huge length means corruption, and reading it would waste memory. */
const MAX_KEY_BYTES = 64 * 1024;

/** Smallest possible encodings, used to reject counts that cannot fit the file before iterating over them. */
const MIN_KV_BYTES = 8 + 1 + 4 + 1; // key length, 1-byte key, value type, 1-byte value
const MIN_TENSOR_INFO_BYTES = 8 + 1 + 4 + 8 + 4 + 8; // name length, 1-byte name, n_dims, one dim, type, offset

/** Byte size of each fixed-size GGUF value type, by type code; strings (8) and arrays (9) are variable. */
const FIXED_VALUE_BYTES: ReadonlyMap<number, number> = new Map([
  [0, 1],
  [1, 1],
  [2, 2],
  [3, 2],
  [4, 4],
  [5, 4],
  [6, 4],
  [7, 1],
  [10, 8],
  [11, 8],
  [12, 8],
]);
const STRING_TYPE = 8;
const ARRAY_TYPE = 9;
const UINT32_TYPE = 4;

/** The layout of a structurally sound GGUF header. */
export interface GgufStructure {
  readonly valid: true;
  readonly version: number;
  readonly tensorCount: number;
  readonly fileSize: number;
  /** Offset of the tensor data section from the start of the file. */
  readonly dataOffset: number;
  readonly alignment: number;
}

/** Why a file is not a GGUF file, in a few words (never quoting file content). */
export interface GgufStructureProblem {
  readonly valid: false;
  readonly reason: string;
}

/**
 * Walks a GGUF header with bounds checks against the file size: magic, version, every metadata entry and every
 * tensor info. This catches truncated and corrupt headers before a lenient parser reads zeros past the end of the
 * file or allocates a buffer for a bogus length. It does not read tensor data. Throws only on I/O errors.
 */
export async function checkGgufStructure(filePath: string): Promise<GgufStructure | GgufStructureProblem> {
  const handle = await open(filePath, 'r');
  try {
    const stats = await handle.stat();
    const fileSize = stats.size;
    if (!stats.isFile()) return { valid: false, reason: 'not a regular file' };
    if (fileSize === 0) return { valid: false, reason: 'empty file' };
    return await walkHeader(new HeaderCursor(handle, fileSize));
  } catch (error) {
    if (error instanceof TruncatedHeader) return { valid: false, reason: 'truncated header' };
    if (error instanceof CorruptHeader) return { valid: false, reason: error.message };
    throw error;
  } finally {
    await handle.close();
  }
}

class TruncatedHeader extends Error {}
class CorruptHeader extends Error {}

async function walkHeader(cursor: HeaderCursor): Promise<GgufStructure | GgufStructureProblem> {
  if (
    cursor.fileSize < GGUF_MAGIC.length ||
    (await cursor.bytes(GGUF_MAGIC.length)).toString('latin1') !== GGUF_MAGIC
  ) {
    return { valid: false, reason: 'bad magic' };
  }
  const version = await cursor.u32();
  if (!SUPPORTED_VERSIONS.includes(version)) {
    return { valid: false, reason: `unsupported GGUF version ${version}` };
  }
  const tensorCount = await cursor.u64();
  const kvCount = await cursor.u64();
  if (tensorCount * MIN_TENSOR_INFO_BYTES + kvCount * MIN_KV_BYTES > cursor.remaining) {
    return { valid: false, reason: 'corrupt header (counts exceed the file size)' };
  }

  let alignment = DEFAULT_ALIGNMENT;
  for (let i = 0; i < kvCount; i++) {
    const key = await cursor.key();
    const type = await cursor.u32();
    if (key === 'general.alignment') {
      if (type !== UINT32_TYPE) throw new CorruptHeader('corrupt header (general.alignment is not a uint32)');
      alignment = await cursor.u32();
      if (alignment === 0 || (alignment & (alignment - 1)) !== 0) {
        throw new CorruptHeader('corrupt header (general.alignment is not a power of two)');
      }
    } else {
      await skipValue(cursor, type, 0);
    }
  }

  for (let i = 0; i < tensorCount; i++) {
    await cursor.skipString();
    const dims = await cursor.u32();
    if (dims === 0 || dims > MAX_TENSOR_DIMS)
      throw new CorruptHeader('corrupt tensor info (dimension count)');
    for (let d = 0; d < dims; d++) await cursor.u64();
    await cursor.u32();
    const offset = await cursor.u64();
    if (offset % alignment !== 0) throw new CorruptHeader('corrupt tensor info (misaligned offset)');
  }

  const dataOffset = Math.ceil(cursor.position / alignment) * alignment;
  if (tensorCount > 0 && dataOffset > cursor.fileSize) throw new TruncatedHeader();
  return { valid: true, version, tensorCount, fileSize: cursor.fileSize, dataOffset, alignment };
}

async function skipValue(cursor: HeaderCursor, type: number, depth: number): Promise<void> {
  const fixed = FIXED_VALUE_BYTES.get(type);
  if (fixed !== undefined) return cursor.skip(fixed);
  if (type === STRING_TYPE) return cursor.skipString();
  if (type !== ARRAY_TYPE) throw new CorruptHeader('corrupt header (unknown value type)');
  if (depth >= MAX_ARRAY_NESTING) throw new CorruptHeader('corrupt header (arrays nested too deeply)');
  const itemType = await cursor.u32();
  const count = await cursor.u64();
  const itemFixed = FIXED_VALUE_BYTES.get(itemType);
  if (itemFixed !== undefined) return cursor.skip(count * itemFixed);
  // Every string or array item takes at least its 8-byte length.
  if (count * 8 > cursor.remaining) throw new TruncatedHeader();
  for (let i = 0; i < count; i++) await skipValue(cursor, itemType, depth + 1);
}

/** Sequential little-endian reads from a file through a sliding window, failing past the end of the file. */
class HeaderCursor {
  private window = Buffer.alloc(0);
  private windowStart = 0;
  private offset = 0;

  public constructor(
    private readonly handle: FileHandle,
    public readonly fileSize: number,
  ) {}

  public get position(): number {
    return this.offset;
  }

  public get remaining(): number {
    return this.fileSize - this.offset;
  }

  public async u32(): Promise<number> {
    return (await this.bytes(4)).readUInt32LE(0);
  }

  /** A u64 as a number; values above 2^53 cannot describe anything inside a real file. */
  public async u64(): Promise<number> {
    const value = (await this.bytes(8)).readBigUInt64LE(0);
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
      throw new CorruptHeader('corrupt header (64-bit value out of range)');
    return Number(value);
  }

  public async key(): Promise<string> {
    const length = await this.u64();
    if (length > MAX_KEY_BYTES) throw new CorruptHeader('corrupt header (metadata key too long)');
    return (await this.bytes(length)).toString('utf8');
  }

  public async skipString(): Promise<void> {
    await this.skip(await this.u64());
  }

  public async skip(length: number): Promise<void> {
    if (length > this.remaining) throw new TruncatedHeader();
    this.offset += length;
  }

  public async bytes(length: number): Promise<Buffer> {
    if (length > this.remaining) throw new TruncatedHeader();
    const windowEnd = this.windowStart + this.window.length;
    if (this.offset < this.windowStart || this.offset + length > windowEnd) {
      const size = Math.min(Math.max(length, READ_WINDOW_BYTES), this.remaining);
      const buffer = Buffer.alloc(size);
      const { bytesRead } = await this.handle.read(buffer, 0, size, this.offset);
      if (bytesRead < length) throw new TruncatedHeader();
      this.window = buffer.subarray(0, bytesRead);
      this.windowStart = this.offset;
    }
    const start = this.offset - this.windowStart;
    this.offset += length;
    return this.window.subarray(start, start + length);
  }
}

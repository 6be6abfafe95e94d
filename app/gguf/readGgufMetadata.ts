import path from 'node:path';
import { GgmlType, GgufFileType, type Llama } from 'node-llama-cpp';
import { type GgufMetadataSummary, ggufMetadataSummarySchema } from './GgufMetadataSummary';
import { inspectGgufFile } from './inspectGgufFile';
import { InvalidGgufError } from './InvalidGgufError';

/** Large arrays none of the summary needs; skipping them keeps a 150k-token vocabulary out of memory. */
const IGNORED_KEYS = [
  'tokenizer.ggml.tokens',
  'tokenizer.ggml.scores',
  'tokenizer.ggml.token_type',
  'tokenizer.ggml.merges',
];

export interface ReadGgufMetadataOptions {
  /**
   * The Llama instance whose llama.cpp build decides which architectures are supported. Defaults to node-llama-cpp's
   * shared backend-less instance (loads the addon once, no GPU).
   */
  readonly llama?: Llama;
}

/**
 * Reads a GGUF model's header and summarises it for the model library, after `inspectGgufFile`'s checks (intact
 * header, all the tensor data the header promises, an architecture llama.cpp supports).
 *
 * Throws `InvalidGgufError` (not GGUF, corrupt, truncated, or missing required keys), `UnsupportedArchitectureError`,
 * or `GgufFileAccessError` (cannot open or read the file).
 */
export async function readGgufMetadata(
  filePath: string,
  options: ReadGgufMetadataOptions = {},
): Promise<GgufMetadataSummary> {
  const fileName = path.basename(filePath);
  const invalid = (reason: string, cause?: unknown): InvalidGgufError =>
    new InvalidGgufError(`readGgufMetadata: ${fileName} is not a valid GGUF file (${reason})`, { cause });

  const {
    structure,
    fileInfo: info,
    insights,
    architecture,
  } = await inspectGgufFile(filePath, {
    operation: 'readGgufMetadata',
    subject: 'file',
    llama: options.llama,
    read: { readTensorInfo: true, ignoreKeys: IGNORED_KEYS, spliceSplitFiles: false },
  });

  const arch = info.architectureMetadata;
  const requireCount = (value: unknown, key: string): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw invalid(`missing or invalid ${architecture}.${key}`);
    }
    return value;
  };
  const name: unknown = info.metadata.general.name;
  const summary = {
    architecture,
    ...(typeof name === 'string' && name !== '' ? { name } : {}),
    parameterCount: insights.totalParameters,
    quantization: quantizationName(info.metadata.general.file_type, insights.dominantTensorType),
    contextLength: requireCount(arch.context_length, 'context_length'),
    layers: requireCount(arch.block_count, 'block_count'),
    embeddingLength: requireCount(arch.embedding_length, 'embedding_length'),
    fileSize: structure.fileSize,
    chatTemplate: typeof info.metadata.tokenizer?.chat_template === 'string',
  };
  const parsed = ggufMetadataSummarySchema.safeParse(summary);
  if (!parsed.success) throw invalid('inconsistent metadata', parsed.error);
  return parsed.data;
}

/** `MOSTLY_Q4_K_M` → `Q4_K_M`, `ALL_F32` → `F32`; files without a known `general.file_type` use the dominant tensor type. */
function quantizationName(fileType: unknown, dominantTensorType: GgmlType | undefined): string {
  if (typeof fileType === 'number') {
    const name: unknown = GgufFileType[fileType];
    if (typeof name === 'string') return name.replace(/^(ALL|MOSTLY)_/, '');
  }
  if (dominantTensorType !== undefined) {
    const name: unknown = GgmlType[dominantTensorType];
    if (typeof name === 'string') return name;
  }
  return 'unknown';
}

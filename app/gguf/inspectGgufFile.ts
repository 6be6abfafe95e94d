import path from 'node:path';
import { GgufInsights, readGgufFileInfo } from 'node-llama-cpp';
import type { GgufFileInfo, Llama } from 'node-llama-cpp';
import { checkGgufStructure } from './checkGgufStructure';
import type { GgufStructure } from './checkGgufStructure';
import { GgufFileAccessError } from './GgufFileAccessError';
import { InvalidGgufError } from './InvalidGgufError';
import { UnsupportedArchitectureError } from './UnsupportedArchitectureError';

export interface InspectGgufFileOptions {
  /** The operation that starts every error message, e.g. `loadModel`. */
  readonly operation: string;
  /** What a broken file is called in `InvalidGgufError` messages: "… is not a valid GGUF <subject>". */
  readonly subject: 'file' | 'model';
  /**
   * The Llama instance whose llama.cpp build decides which architectures are supported. Defaults to node-llama-cpp's
   * shared backend-less instance (loads the addon once, no GPU).
   */
  readonly llama?: Llama | undefined;
  /** How node-llama-cpp reads the header (keys to skip, split files, cancellation). Defaults to its defaults. */
  readonly read?: Pick<
    NonNullable<Parameters<typeof readGgufFileInfo>[1]>,
    'readTensorInfo' | 'ignoreKeys' | 'spliceSplitFiles' | 'signal'
  >;
}

/** A GGUF file that passed every check made before llama.cpp touches it. */
export interface GgufFileInspection {
  readonly structure: GgufStructure;
  readonly fileInfo: GgufFileInfo;
  readonly insights: GgufInsights;
  /** `general.architecture`. */
  readonly architecture: string;
}

/**
 * Reads a GGUF header after checking that it is intact, then that the file holds all the tensor data the header
 * promises and that this llama.cpp build runs the architecture, so a wrong file gets a clear error instead of a
 * native failure. Shared by the model library (import) and the engine (load).
 *
 * Throws `GgufFileAccessError` (cannot open or read the file), `InvalidGgufError` (not GGUF, corrupt, truncated,
 * no architecture) or `UnsupportedArchitectureError`.
 */
export async function inspectGgufFile(
  filePath: string,
  options: InspectGgufFileOptions,
): Promise<GgufFileInspection> {
  const { operation } = options;
  const fileName = path.basename(filePath);
  const invalid = (reason: string, cause?: unknown): InvalidGgufError =>
    new InvalidGgufError(`${operation}: ${fileName} is not a valid GGUF ${options.subject} (${reason})`, {
      cause,
    });

  let structure;
  try {
    structure = await checkGgufStructure(filePath);
  } catch (error) {
    throw new GgufFileAccessError(`${operation}: cannot read ${fileName}`, { cause: error });
  }
  if (!structure.valid) throw invalid(structure.reason);

  let fileInfo;
  let insights;
  try {
    fileInfo = await readGgufFileInfo(filePath, {
      ...options.read,
      sourceType: 'filesystem',
      logWarnings: false,
    });
    insights = await GgufInsights.from(fileInfo, options.llama);
  } catch (error) {
    throw invalid('unreadable header', error);
  }
  // modelSize counts from the start of the data section to the end of the last tensor (of every part when spliced).
  if (fileInfo.splicedParts <= 1 && structure.dataOffset + insights.modelSize > structure.fileSize)
    throw invalid('truncated tensor data');

  // Typed as a known architecture, but it is whatever string the file holds.
  const architecture: unknown = fileInfo.metadata?.general?.architecture;
  if (typeof architecture !== 'string' || architecture === '') throw invalid('no general.architecture');
  if (!insights.isSupportedByLlamaCpp)
    throw new UnsupportedArchitectureError(
      `${operation}: ${fileName} uses a model architecture this version of llama.cpp does not support`,
      architecture,
    );

  return { structure, fileInfo, insights, architecture };
}

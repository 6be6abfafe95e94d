import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { GgufInsights, readGgufFileInfo } from 'node-llama-cpp';
import type { GgufFileInfo, Llama } from 'node-llama-cpp';
import { toErrorMessage } from '../errors/toErrorMessage';
import { checkGgufStructure } from '../gguf/checkGgufStructure';
import { InvalidGgufError } from '../gguf/InvalidGgufError';
import { UnsupportedArchitectureError } from '../gguf/UnsupportedArchitectureError';
import { ModelFileNotFoundError, ModelLoadAbortedError } from './engineErrors';

/** Context length assumed when a GGUF does not declare one (node-llama-cpp uses the same value). */
export const FALLBACK_TRAIN_CONTEXT_SIZE = 4096;

export interface ModelFileHeader {
  fileInfo: GgufFileInfo;
  insights: GgufInsights;
  /** GGUF `general.architecture`. */
  architecture: string;
  trainContextSize: number;
}

/**
 * Reads a GGUF header and checks what can be checked before llama.cpp touches the file, so a wrong file gets a clear
 * error instead of a native failure: the path is a file (`ModelFileNotFoundError`), the header is structurally sound
 * and the file holds all the tensor data it promises (`InvalidGgufError`), and this llama.cpp build runs the
 * architecture (`UnsupportedArchitectureError`). The error classes are app/gguf's, shared with the model library.
 */
export async function inspectModelFile(
  llama: Llama,
  modelPath: string,
  operation: string,
  signal?: AbortSignal,
): Promise<ModelFileHeader> {
  const name = basename(modelPath);
  const invalid = (reason: string, cause?: unknown): InvalidGgufError =>
    new InvalidGgufError(`${operation}: ${name} is not a valid GGUF model (${reason})`, { cause });
  await assertIsFile(modelPath, operation);

  let structure: Awaited<ReturnType<typeof checkGgufStructure>>;
  try {
    structure = await checkGgufStructure(modelPath);
  } catch (error) {
    throw new ModelFileNotFoundError(`${operation}: cannot read ${modelPath} (${toErrorMessage(error)})`, {
      cause: error,
    });
  }
  if (!structure.valid) throw invalid(structure.reason);

  let fileInfo: GgufFileInfo;
  let insights: GgufInsights;
  try {
    fileInfo = await readGgufFileInfo(modelPath, { sourceType: 'filesystem', logWarnings: false, signal });
    insights = await GgufInsights.from(fileInfo, llama);
  } catch (error) {
    if (signal?.aborted === true)
      throw new ModelLoadAbortedError(`${operation}: cancelled`, { cause: error });
    throw invalid('unreadable header', error);
  }
  // modelSize counts from the start of the data section to the end of the last tensor (of every part when split).
  if (fileInfo.splicedParts <= 1 && structure.dataOffset + insights.modelSize > structure.fileSize)
    throw invalid('truncated tensor data');

  // Typed as a known architecture, but it is whatever string the file holds.
  const architecture: unknown = fileInfo.metadata.general?.architecture;
  if (typeof architecture !== 'string' || architecture === '') throw invalid('no general.architecture');
  if (!insights.isSupportedByLlamaCpp)
    throw new UnsupportedArchitectureError(
      `${operation}: ${name} uses a model architecture this version of llama.cpp does not support`,
      architecture,
    );

  return {
    fileInfo,
    insights,
    architecture,
    trainContextSize: insights.trainContextSize ?? FALLBACK_TRAIN_CONTEXT_SIZE,
  };
}

async function assertIsFile(modelPath: string, operation: string): Promise<void> {
  let isFile: boolean;
  try {
    isFile = (await stat(modelPath)).isFile();
  } catch (error) {
    throw new ModelFileNotFoundError(`${operation}: cannot read ${modelPath} (${toErrorMessage(error)})`, {
      cause: error,
    });
  }
  if (!isFile) throw new ModelFileNotFoundError(`${operation}: ${modelPath} is not a file`);
}

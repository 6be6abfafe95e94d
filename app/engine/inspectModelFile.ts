import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { GgufInsights, readGgufFileInfo } from 'node-llama-cpp';
import type { GgufFileInfo, Llama } from 'node-llama-cpp';
import { toErrorMessage } from '../errors/toErrorMessage';
import {
  InvalidModelFileError,
  ModelFileNotFoundError,
  ModelLoadAbortedError,
  UnsupportedArchitectureError,
} from './engineErrors';

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
 * error instead of a native failure: the path exists, the header parses, tensor data lies within the file, and the
 * architecture is one this llama.cpp build runs.
 */
export async function inspectModelFile(
  llama: Llama,
  modelPath: string,
  operation: string,
  signal?: AbortSignal,
): Promise<ModelFileHeader> {
  const name = basename(modelPath);
  const fileSize = await statModelFile(modelPath, operation);

  let fileInfo: GgufFileInfo;
  try {
    fileInfo = await readGgufFileInfo(modelPath, { sourceType: 'filesystem', logWarnings: false, signal });
  } catch (error) {
    if (signal?.aborted) throw new ModelLoadAbortedError(`${operation}: cancelled`, { cause: error });
    throw new InvalidModelFileError(`${operation}: ${name} is not a valid GGUF model (${toErrorMessage(error)})`, {
      cause: error,
    });
  }

  // Typed as a known architecture, but it is whatever string the file holds.
  const architecture: unknown = fileInfo.metadata.general?.architecture;
  if (typeof architecture !== 'string' || architecture === '')
    throw new InvalidModelFileError(`${operation}: ${name} does not declare general.architecture`);

  if (fileInfo.splicedParts <= 1) {
    const lastTensorOffset = Math.max(0, ...(fileInfo.fullTensorInfo ?? []).map((t) => Number(t.fileOffset)));
    if (lastTensorOffset >= fileSize)
      throw new InvalidModelFileError(
        `${operation}: ${name} is truncated (tensor data starts at byte ${lastTensorOffset}, file has ${fileSize})`,
      );
  }

  let insights: GgufInsights;
  try {
    insights = await GgufInsights.from(fileInfo, llama);
  } catch (error) {
    throw new InvalidModelFileError(`${operation}: ${name} has unreadable tensor info (${toErrorMessage(error)})`, {
      cause: error,
    });
  }
  if (!insights.isSupportedByLlamaCpp)
    throw new UnsupportedArchitectureError(
      `${operation}: ${name} uses the architecture "${architecture.slice(0, 100)}", which this llama.cpp build (${llama.llamaCppRelease.release}) cannot run`,
      architecture,
    );

  return {
    fileInfo,
    insights,
    architecture,
    trainContextSize: insights.trainContextSize ?? FALLBACK_TRAIN_CONTEXT_SIZE,
  };
}

async function statModelFile(modelPath: string, operation: string): Promise<number> {
  try {
    const stats = await stat(modelPath);
    if (!stats.isFile()) throw new ModelFileNotFoundError(`${operation}: ${modelPath} is not a file`);
    return stats.size;
  } catch (error) {
    if (error instanceof ModelFileNotFoundError) throw error;
    throw new ModelFileNotFoundError(`${operation}: cannot read ${modelPath} (${toErrorMessage(error)})`, {
      cause: error,
    });
  }
}

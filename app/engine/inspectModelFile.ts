import { stat } from 'node:fs/promises';
import type { GgufInsights, Llama } from 'node-llama-cpp';
import { toErrorMessage } from '../errors/toErrorMessage';
import { GgufFileAccessError } from '../gguf/GgufFileAccessError';
import { inspectGgufFile } from '../gguf/inspectGgufFile';
import type { GgufFileInspection } from '../gguf/inspectGgufFile';
import { ModelFileNotFoundError, ModelLoadAbortedError } from './engineErrors';

/** Context length assumed when a GGUF does not declare one (node-llama-cpp uses the same value). */
export const FALLBACK_TRAIN_CONTEXT_SIZE = 4096;

export interface ModelFileHeader {
  insights: GgufInsights;
  /** GGUF `general.architecture`. */
  architecture: string;
  trainContextSize: number;
}

/**
 * Checks a model file with app/gguf's `inspectGgufFile` before llama.cpp touches it: the path must be a file
 * (`ModelFileNotFoundError`), then the header must be sound and complete (`InvalidGgufError`) and the architecture
 * supported (`UnsupportedArchitectureError`); the error classes are shared with the model library.
 */
export async function inspectModelFile(
  llama: Llama,
  modelPath: string,
  operation: string,
  signal?: AbortSignal,
): Promise<ModelFileHeader> {
  await assertIsFile(modelPath, operation);
  let inspection: GgufFileInspection;
  try {
    inspection = await inspectGgufFile(modelPath, { operation, subject: 'model', llama, read: { signal } });
  } catch (error) {
    if (signal?.aborted === true)
      throw new ModelLoadAbortedError(`${operation}: cancelled`, { cause: error });
    if (error instanceof GgufFileAccessError) throw toFileNotFoundError(modelPath, operation, error.cause);
    throw error;
  }
  const { insights, architecture } = inspection;
  return {
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
    throw toFileNotFoundError(modelPath, operation, error);
  }
  if (!isFile) throw new ModelFileNotFoundError(`${operation}: ${modelPath} is not a file`);
}

function toFileNotFoundError(modelPath: string, operation: string, cause: unknown): ModelFileNotFoundError {
  return new ModelFileNotFoundError(`${operation}: cannot read ${modelPath} (${toErrorMessage(cause)})`, {
    cause,
  });
}

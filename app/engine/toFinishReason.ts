import type { LlamaChatResponse } from 'node-llama-cpp';
import { missingCaseError } from '../errors/missingCaseError';
import type { FinishReason } from './generationTypes';

export type LlamaStopReason = LlamaChatResponse['metadata']['stopReason'];

/** Maps node-llama-cpp's stop reason onto Veil's finish reason. */
export function toFinishReason(stopReason: LlamaStopReason): FinishReason {
  switch (stopReason) {
    case 'eogToken':
    case 'stopGenerationTrigger':
    case 'customStopTrigger':
      return 'stop';
    case 'maxTokens':
      return 'length';
    case 'abort':
      return 'aborted';
    // Veil never passes functions, so a function call can only come from a wrapper quirk; the turn did end.
    case 'functionCalls':
      return 'stop';
    default:
      throw missingCaseError(stopReason);
  }
}

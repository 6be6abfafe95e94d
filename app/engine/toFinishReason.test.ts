import { describe, expect, it } from 'vitest';
import { toFinishReason } from './toFinishReason';

describe('toFinishReason', () => {
  it('maps every node-llama-cpp stop reason', () => {
    expect(toFinishReason('eogToken')).toBe('stop');
    expect(toFinishReason('stopGenerationTrigger')).toBe('stop');
    expect(toFinishReason('customStopTrigger')).toBe('stop');
    expect(toFinishReason('functionCalls')).toBe('stop');
    expect(toFinishReason('maxTokens')).toBe('length');
    expect(toFinishReason('abort')).toBe('aborted');
  });

  it('names an unknown reason instead of guessing', () => {
    expect(() => toFinishReason('somethingNew' as never)).toThrow('somethingNew');
  });
});

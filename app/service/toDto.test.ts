import { describe, expect, it } from 'vitest';
import type { Conversation as StoredConversation } from '../chats/chatSchemas';
import { Conversation, DEFAULT_SAMPLING, MAX_TEXT_LENGTH, Sampling } from '../contract/dto';
import { toConversationDto, toSamplingDto } from './toDto';

const stored: StoredConversation = {
  id: 'a'.repeat(32),
  title: 't'.repeat(900),
  createdAt: 1,
  updatedAt: 2,
  systemPrompt: 'Be brief.',
  modelRef: { kind: 'local', id: 'model-1' },
  sampling: { topK: 50_000, repeatPenalty: 9, maxTokens: 5_000_000, topP: 0, seed: 2 ** 40, minP: 0.1 },
  activeLeafId: 'c'.repeat(24),
  messages: [
    { id: 'b'.repeat(24), parentId: null, role: 'user', content: 'hi', createdAt: 3 },
    {
      id: 'c'.repeat(24),
      parentId: 'b'.repeat(24),
      role: 'assistant',
      content: 'x'.repeat(MAX_TEXT_LENGTH + 10),
      createdAt: 4,
      finishReason: 'eogToken',
      completionTokens: 5,
      error: { name: 'ModelLoadError', message: 'loadModel: failed' },
    },
  ],
};

describe('toDto', () => {
  it('maps a stored conversation onto a contract-valid DTO, bounding what the store allows beyond the contract', () => {
    const dto = toConversationDto(stored, {
      generatingMessageId: 'c'.repeat(24),
    });
    expect(Conversation.parse(dto)).toEqual(dto);
    expect(dto.title).toHaveLength(500);
    expect(dto.messages[1]?.content.length).toBe(MAX_TEXT_LENGTH);
    expect(dto.messages[1]?.content.endsWith('[… truncated for display]')).toBe(true);
    // An engine-specific finish reason the contract does not know is left out rather than failing the DTO.
    expect(dto.messages[1]?.finishReason).toBeUndefined();
    expect(dto.messages[1]?.error).toEqual({ name: 'ModelLoadError', message: 'loadModel: failed' });
    expect(dto.generatingMessageId).toBe('c'.repeat(24));
  });

  it('fills sampling defaults and clamps to the contract ranges', () => {
    expect(toSamplingDto(undefined)).toEqual(DEFAULT_SAMPLING);
    const clamped = toSamplingDto(stored.sampling);
    expect(Sampling.parse(clamped)).toEqual(clamped);
    expect(clamped).toEqual({
      temperature: DEFAULT_SAMPLING.temperature,
      topP: 0.01,
      topK: 1000,
      maxTokens: 131_072,
      repeatPenalty: 3,
    });
    expect(toSamplingDto({ seed: 7, temperature: 0 })).toMatchObject({ seed: 7, temperature: 0 });
  });
});

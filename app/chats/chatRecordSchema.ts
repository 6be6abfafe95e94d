import { z } from 'zod';
import {
  chatMessageSchema,
  conversationSchema,
  MAX_MESSAGE_CHARS,
  MAX_SYSTEM_PROMPT_CHARS,
  MAX_TITLE_CHARS,
  messageIdSchema,
  modelRefSchema,
  messageUpdateSchema,
  samplingSchema,
} from './chatSchemas';

const at = z.number().int().min(0).max(8.64e15);

/** Every record type a conversation log may hold. Replayed in order, they rebuild the conversation. */
export const CHAT_RECORD_TYPES = [
  'snapshot',
  'renamed',
  'settingsChanged',
  'messageAdded',
  'contentAppended',
  'messageUpdated',
  'activeLeafSet',
] as const;

/**
 * One decrypted log record. A log starts with a `snapshot` (creation, import or compaction) followed by events.
 * Streaming replies are written as `contentAppended` deltas, coalesced, never one record per token.
 */
export const chatRecordSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('snapshot'), conversation: conversationSchema }),
  z.strictObject({ type: z.literal('renamed'), at, title: z.string().max(MAX_TITLE_CHARS) }),
  z.strictObject({
    type: z.literal('settingsChanged'),
    at,
    systemPrompt: z.string().max(MAX_SYSTEM_PROMPT_CHARS).optional(),
    /** null clears the setting; absent leaves it unchanged. */
    modelRef: modelRefSchema.nullable().optional(),
    sampling: samplingSchema.nullable().optional(),
  }),
  z.strictObject({ type: z.literal('messageAdded'), at, message: chatMessageSchema }),
  z.strictObject({
    type: z.literal('contentAppended'),
    at,
    messageId: messageIdSchema,
    text: z.string().max(MAX_MESSAGE_CHARS),
  }),
  messageUpdateSchema.extend({ type: z.literal('messageUpdated'), at, messageId: messageIdSchema }),
  z.strictObject({ type: z.literal('activeLeafSet'), at, messageId: messageIdSchema }),
]);
export type ChatRecord = z.infer<typeof chatRecordSchema>;

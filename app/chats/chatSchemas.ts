import { z } from 'zod';

/** Longest message content accepted, in UTF-16 code units (about 10 MB of text). */
export const MAX_MESSAGE_CHARS = 10_000_000;
/** Longest conversation title accepted. */
export const MAX_TITLE_CHARS = 1_000;
/** Longest system prompt accepted. */
export const MAX_SYSTEM_PROMPT_CHARS = 200_000;
/** Ids are random lowercase hex: 16 bytes for conversations (also the file name), 12 for messages. */
export const conversationIdSchema = z
  .string()
  .regex(/^[0-9a-f]{32}$/, 'expected a 32-digit hex conversation id');
export const messageIdSchema = z.string().regex(/^[0-9a-f]{24}$/, 'expected a 24-digit hex message id');

/** Which model produced a reply: a local GGUF or a model on the sealed network. */
export const modelRefSchema = z.strictObject({
  kind: z.enum(['local', 'network']),
  id: z.string().min(1).max(512),
  /** For network models: the provider that answered. */
  providerId: z.string().min(1).max(512).optional(),
});
export type ModelRef = z.infer<typeof modelRefSchema>;

/** Opaque proof from a network provider (provider id, signature, …); validated in depth by the protocol layer. */
export const receiptSchema = z
  .record(z.string().min(1).max(128), z.union([z.string().max(16_384), z.number()]))
  .refine((record) => Object.keys(record).length <= 64, 'a receipt has at most 64 fields');
export type Receipt = z.infer<typeof receiptSchema>;

/** Why a reply failed, as `{name, message}`: kept so the UI still explains it after a restart. */
export const messageErrorSchema = z.strictObject({
  name: z.string().min(1).max(200),
  message: z.string().max(4000),
});
export type MessageError = z.infer<typeof messageErrorSchema>;

/** Per-conversation sampling settings; anything unset falls back to the model's defaults. */
export const samplingSchema = z.strictObject({
  temperature: z.number().min(0).max(5).optional(),
  topP: z.number().min(0).max(1).optional(),
  topK: z.number().int().min(0).max(100_000).optional(),
  minP: z.number().min(0).max(1).optional(),
  repeatPenalty: z.number().min(0).max(10).optional(),
  maxTokens: z.number().int().min(1).max(10_000_000).optional(),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});
export type SamplingSettings = z.infer<typeof samplingSchema>;

const timestampSchema = z.number().int().min(0).max(8.64e15);
const tokenCountSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const chatRoleSchema = z.enum(['user', 'assistant']);
export type ChatRole = z.infer<typeof chatRoleSchema>;

/**
 * What may change on a message after it was added: the end of a streamed reply, or a replaced content. The same
 * fields appear in messages, in `messageUpdated` log records, in `updateMessage` input and in JSON exports.
 */
export const messageUpdateSchema = z.strictObject({
  content: z.string().max(MAX_MESSAGE_CHARS).optional(),
  /** Why generation stopped (engine-defined, e.g. 'eogToken', 'maxTokens', 'abort'); set when a reply is final. */
  finishReason: z.string().min(1).max(64).optional(),
  promptTokens: tokenCountSchema.optional(),
  completionTokens: tokenCountSchema.optional(),
  modelRef: modelRefSchema.optional(),
  receipt: receiptSchema.optional(),
  error: messageErrorSchema.optional(),
});
export type MessageUpdate = z.input<typeof messageUpdateSchema>;

/** One message in a conversation tree. Siblings (same `parentId`) are alternative versions. */
export const chatMessageSchema = messageUpdateSchema.extend({
  id: messageIdSchema,
  /** null for a first message; several first messages are versions of the opening prompt. */
  parentId: messageIdSchema.nullable(),
  role: chatRoleSchema,
  content: z.string().max(MAX_MESSAGE_CHARS),
  createdAt: timestampSchema,
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/** A whole conversation: settings plus every message of every branch, in creation order. */
export const conversationSchema = z.strictObject({
  id: conversationIdSchema,
  title: z.string().max(MAX_TITLE_CHARS),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
  systemPrompt: z.string().max(MAX_SYSTEM_PROMPT_CHARS),
  modelRef: modelRefSchema.optional(),
  sampling: samplingSchema.optional(),
  /** The last message of the branch the user is looking at; null while the conversation is empty. */
  activeLeafId: messageIdSchema.nullable(),
  messages: z.array(chatMessageSchema),
});
export type Conversation = z.infer<typeof conversationSchema>;

/** What `listConversations` returns: enough to draw the sidebar without touching messages. */
export interface ConversationSummary {
  readonly id: string;
  readonly title: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly messageCount: number;
  readonly modelRef?: ModelRef;
}

/** One search hit: a title match has no `messageId`. */
export interface ChatSearchHit {
  readonly conversationId: string;
  readonly messageId?: string;
  /** Up to ~80 characters around the match, with an ellipsis where text was cut. */
  readonly snippet: string;
}

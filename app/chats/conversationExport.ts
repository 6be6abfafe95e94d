import { z } from 'zod';
import type { Conversation } from './chatSchemas';
import {
  chatMessageSchema,
  MAX_SYSTEM_PROMPT_CHARS,
  MAX_TITLE_CHARS,
  modelRefSchema,
  samplingSchema,
} from './chatSchemas';
import { ChatInputError } from './chatStoreErrors';
import { getActivePath } from './conversationTree';

export const CHAT_EXPORT_FORMAT = 'veil-chat-export';
export const CHAT_EXPORT_VERSION = 1;
/** Largest JSON text `importJson` accepts, in UTF-16 code units. */
export const MAX_IMPORT_CHARS = 64 * 1024 * 1024;
/** Most messages one imported conversation may hold. */
export const MAX_IMPORT_MESSAGES = 100_000;

const timestamp = z.number().int().min(0).max(8.64e15);
/** Ids in a file are only labels for the tree; the store gives every imported item a fresh random id. */
const importedId = z.string().min(1).max(128);

/** The JSON export format, also what `importJson` accepts. */
export const conversationExportSchema = z.strictObject({
  format: z.literal(CHAT_EXPORT_FORMAT),
  version: z.literal(CHAT_EXPORT_VERSION),
  exportedAt: timestamp,
  conversation: z.strictObject({
    title: z.string().max(MAX_TITLE_CHARS),
    createdAt: timestamp,
    updatedAt: timestamp,
    systemPrompt: z.string().max(MAX_SYSTEM_PROMPT_CHARS),
    modelRef: modelRefSchema.optional(),
    sampling: samplingSchema.optional(),
    activeLeafId: importedId.nullable(),
    messages: z
      .array(
        // A stored message, except that ids are free-form labels until the store assigns its own.
        chatMessageSchema.extend({ id: importedId, parentId: importedId.nullable() }),
      )
      .max(MAX_IMPORT_MESSAGES),
  }),
});
export type ConversationExport = z.infer<typeof conversationExportSchema>;

/** The whole tree (every branch) as the versioned JSON export. */
export function exportConversationJson(conversation: Conversation, exportedAt: number): string {
  const { id: _id, ...rest } = conversation;
  const document: ConversationExport = {
    format: CHAT_EXPORT_FORMAT,
    version: CHAT_EXPORT_VERSION,
    exportedAt,
    conversation: rest,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** The active branch as readable Markdown. Other branches are left out; the JSON export keeps them. */
export function exportConversationMarkdown(conversation: Conversation, exportedAt: number): string {
  const lines: string[] = [
    `# ${conversation.title === '' ? 'Untitled conversation' : conversation.title}`,
    '',
  ];
  const model =
    conversation.modelRef === undefined
      ? ''
      : ` · model: ${conversation.modelRef.kind} ${conversation.modelRef.id}`;
  lines.push(`_Exported from Veil on ${new Date(exportedAt).toISOString()}${model}_`, '');
  if (conversation.systemPrompt !== '') lines.push('## System prompt', '', conversation.systemPrompt, '');
  for (const message of getActivePath(conversation)) {
    lines.push(message.role === 'user' ? '## User' : '## Assistant', '', message.content, '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/**
 * Parses and checks an export: size, JSON, schema, and a consistent tree (unique ids, parents before children,
 * an existing active leaf). Throws `ChatInputError` naming the offending field.
 */
export function parseConversationExport(json: string): ConversationExport {
  if (json.length > MAX_IMPORT_CHARS) {
    throw new ChatInputError(`importJson: the file is larger than ${MAX_IMPORT_CHARS} characters`);
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ChatInputError('importJson: the file is not valid JSON');
  }
  const parsed = conversationExportSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue === undefined || issue.path.length === 0 ? '(root)' : issue.path.join('.');
    throw new ChatInputError(`importJson: invalid field "${field}": ${issue?.message ?? 'invalid'}`);
  }
  const { conversation } = parsed.data;
  const seen = new Set<string>();
  conversation.messages.forEach((message, index) => {
    if (seen.has(message.id)) {
      throw new ChatInputError(`importJson: invalid field "conversation.messages.${index}.id": duplicate id`);
    }
    if (message.parentId !== null && !seen.has(message.parentId)) {
      throw new ChatInputError(
        `importJson: invalid field "conversation.messages.${index}.parentId": no earlier message has this id`,
      );
    }
    seen.add(message.id);
  });
  if (conversation.activeLeafId !== null && !seen.has(conversation.activeLeafId)) {
    throw new ChatInputError('importJson: invalid field "conversation.activeLeafId": no message has this id');
  }
  return parsed.data;
}

import fs from 'node:fs/promises';
import path from 'node:path';
import sodium from 'libsodium-wrappers';
import { z } from 'zod';
import { isErrnoException } from '../util/isErrnoException';
import { fsyncDirectory } from '../util/writeFileAtomic';
import { AsyncMutex } from '../util/AsyncMutex';
import { ChatCipher } from './ChatCipher';
import type { ChatKeyDescription, ChatKeyProvider } from './ChatKeyProvider';
import type { ChatRecord } from './chatRecordSchema';
import type {
  ChatMessage,
  ChatSearchHit,
  Conversation,
  ConversationSummary,
  MessageUpdate,
} from './chatSchemas';
import {
  chatRoleSchema,
  conversationSchema,
  MAX_MESSAGE_CHARS,
  MAX_SYSTEM_PROMPT_CHARS,
  MAX_TITLE_CHARS,
  messageIdSchema,
  modelRefSchema,
  messageUpdateSchema,
  samplingSchema,
} from './chatSchemas';
import {
  CHAT_STORE_VERSION,
  readChatStoreHeader,
  STORE_ID_BYTES,
  writeChatStoreHeader,
} from './ChatStoreHeader';
import {
  ChatInputError,
  ChatKeyMismatchError,
  ChatMessageNotFoundError,
  ChatStoreCorruptError,
  ChatStoreDisposedError,
  ChatStoreError,
  ChatStoreLockedError,
  ConversationNotFoundError,
} from './chatStoreErrors';
import { ChatStoreLock } from './ChatStoreLock';
import type { ConversationLogContext } from './ConversationLog';
import { ConversationLog, LOG_FILE_SUFFIX } from './ConversationLog';
import {
  exportConversationJson,
  exportConversationMarkdown,
  parseConversationExport,
} from './conversationExport';
import { ConversationReplayError, ConversationState } from './ConversationState';
import { findNewestLeaf } from './conversationTree';

const CONVERSATION_ID_BYTES = 16;
const MESSAGE_ID_BYTES = 12;
/** Store directory: private to its owner. */
const STORE_DIR_MODE = 0o700;
const DEFAULT_COMPACT_AFTER_RECORDS = 512;
/** See `ChatStoreOpenOptions.compactAfterRecords`. */
const COMPACT_RECORDS_PER_MESSAGE = 2;
const DEFAULT_STREAM_CHECKPOINT_MS = 2_000;
const DEFAULT_SEARCH_LIMIT = 100;
/** Characters of context shown on each side of a search match. */
const SNIPPET_CONTEXT_CHARS = 40;
const LOG_FILE_PATTERN = new RegExp(`^[0-9a-f]{${CONVERSATION_ID_BYTES * 2}}\\${LOG_FILE_SUFFIX}$`);
/** Temp files left by an interrupted atomic write of a log or of the header (see writeFileAtomic). */
const TEMP_FILE_PATTERN = new RegExp(
  `^\\.([0-9a-f]{${CONVERSATION_ID_BYTES * 2}}\\${LOG_FILE_SUFFIX}|store\\.json)\\.[0-9a-f]+\\.tmp$`,
);

export interface ChatStoreOpenOptions {
  /** The store directory, normally `getVeilPaths().chats`. Created (mode 0700) with a new store. No default. */
  readonly dir: string;
  /** Supplies the master key; see `ChatKeyProvider`. No default. */
  readonly keyProvider: ChatKeyProvider;
  /** Clock in milliseconds since the epoch. Defaults to `Date.now`. */
  readonly now?: () => number;
  /**
   * A log is rewritten as one snapshot once it holds at least this many records and at least twice as many records
   * as its conversation has messages; a rewrite costs the whole conversation, so the ratio keeps the total cost
   * linear while still dropping the waste of streaming checkpoints and edits. Defaults to 512.
   */
  readonly compactAfterRecords?: number;
  /** Longest time streamed text (`appendToMessage`) stays only in memory before it is written. Defaults to 2000 ms. */
  readonly streamCheckpointMs?: number;
}

/** A conversation whose torn final record was cut off while opening (a crash during its last write). */
export interface ChatStoreRecovery {
  readonly conversationId: string;
  readonly droppedBytes: number;
}

const newConversationSchema = z.strictObject({
  title: z.string().max(MAX_TITLE_CHARS).optional(),
  systemPrompt: z.string().max(MAX_SYSTEM_PROMPT_CHARS).optional(),
  modelRef: modelRefSchema.optional(),
  sampling: samplingSchema.optional(),
});
export type NewConversation = z.input<typeof newConversationSchema>;

const settingsUpdateSchema = z.strictObject({
  systemPrompt: z.string().max(MAX_SYSTEM_PROMPT_CHARS).optional(),
  /** null clears it. */
  modelRef: modelRefSchema.nullable().optional(),
  /** null clears it. */
  sampling: samplingSchema.nullable().optional(),
});
export type ConversationSettingsUpdate = z.input<typeof settingsUpdateSchema>;

const newMessageSchema = messageUpdateSchema.extend({
  /** null starts the conversation (or adds another version of its first message). */
  parentId: messageIdSchema.nullable(),
  role: chatRoleSchema,
  content: z.string().max(MAX_MESSAGE_CHARS),
});
export type NewMessage = z.input<typeof newMessageSchema>;

interface ConversationEntry {
  readonly state: ConversationState;
  readonly log: ConversationLog;
  readonly mutex: AsyncMutex;
  /** Streamed text already in `state` but not yet on disk, per message id, in arrival order. */
  pending: Map<string, string>;
  checkpointTimer: NodeJS.Timeout | undefined;
  deleted: boolean;
}

/**
 * The encrypted chat history: one append-only, XChaCha20-Poly1305-sealed log per conversation, replayed into memory
 * on open. Writes to one conversation are serialized; each is durable (fdatasync) when its promise resolves, except
 * `appendToMessage`, whose streamed text is checkpointed every `streamCheckpointMs` and on the next write.
 *
 * Deleting a conversation removes its file; on SSDs and copy-on-write file systems the old blocks may survive until
 * reused, so deletion is not a secure erase (the data stays encrypted under the store key, though).
 */
export class ChatStore {
  private disposePromise: Promise<void> | undefined;

  private constructor(
    private readonly entries: Map<string, ConversationEntry>,
    private readonly lock: ChatStoreLock,
    private readonly dir: string,
    private readonly storeId: Uint8Array,
    private readonly cipher: ChatCipher,
    private readonly now: () => number,
    private readonly compactAfterRecords: number,
    private readonly streamCheckpointMs: number,
    /** Where the key lives and whether it is protected, for the UI to show (with its warning, if any). */
    public readonly keyDescription: ChatKeyDescription,
    /** Conversations whose torn last record was dropped while opening. */
    public readonly recoveries: readonly ChatStoreRecovery[],
  ) {}

  /**
   * Opens the store in `dir`, creating it when the directory holds no store. A wrong key throws
   * `ChatKeyMismatchError`, a lost key `ChatKeyMissingError`, damage `ChatStoreCorruptError`; in all three cases no
   * file is created or changed. The only repair ever made is cutting a torn final record off a log.
   */
  public static async open(options: ChatStoreOpenOptions): Promise<ChatStore> {
    await sodium.ready;
    const { dir, keyProvider } = options;
    const header = await readChatStoreHeader(dir);
    const names = await listDirectory(dir);
    const logNames = names.filter((name) => LOG_FILE_PATTERN.test(name));
    if (header === undefined && logNames.length > 0) {
      throw new ChatStoreCorruptError(
        `openChatStore: store.json is missing but ${logNames.length} conversation files exist; restore store.json from a backup. Nothing was changed`,
      );
    }
    const description = keyProvider.describe();
    if (header !== undefined && header.keyKind !== description.kind) {
      throw new ChatKeyMismatchError(
        `openChatStore: the chat store's key is kept as "${header.keyKind}" but a "${description.kind}" key was supplied; nothing was changed`,
      );
    }
    const grant = await keyProvider.getKey(
      header === undefined
        ? {}
        : { existing: { kind: header.keyKind, ...(header.kdf === undefined ? {} : { kdf: header.kdf }) } },
    );
    const cipher = await ChatCipher.fromMasterKey(grant.key);
    let lock: ChatStoreLock | undefined;
    try {
      let storeId: Uint8Array;
      if (header === undefined) {
        storeId = sodium.randombytes_buf(STORE_ID_BYTES);
        await fs.mkdir(dir, { recursive: true, mode: STORE_DIR_MODE });
        lock = await ChatStoreLock.acquire(dir);
        if ((await readChatStoreHeader(dir)) !== undefined) {
          throw new ChatStoreLockedError(
            'openChatStore: another process created the chat store meanwhile; open it again',
          );
        }
        await writeChatStoreHeader(dir, {
          version: CHAT_STORE_VERSION,
          storeId,
          createdAt: (options.now ?? Date.now)(),
          keyKind: description.kind,
          ...(grant.kdf === undefined ? {} : { kdf: grant.kdf }),
          keyCheck: cipher.keyCheck(storeId),
        });
      } else {
        storeId = header.storeId;
        if (!cipher.matchesKeyCheck(storeId, header.keyCheck)) {
          throw new ChatKeyMismatchError(
            'opening chat store: the key does not match this store (wrong passphrase or key file); nothing was changed',
          );
        }
        lock = await ChatStoreLock.acquire(dir);
      }
      // Listed again under the lock: the first listing may predate another process's last writes.
      const lockedNames = await listDirectory(dir);
      const { entries, recoveries } = await loadConversations(
        { dir, storeId, cipher },
        lockedNames.filter((name) => LOG_FILE_PATTERN.test(name)),
      );
      for (const name of lockedNames) {
        if (TEMP_FILE_PATTERN.test(name)) await fs.rm(path.join(dir, name), { force: true });
      }
      return new ChatStore(
        entries,
        lock,
        dir,
        storeId,
        cipher,
        options.now ?? Date.now,
        options.compactAfterRecords ?? DEFAULT_COMPACT_AFTER_RECORDS,
        options.streamCheckpointMs ?? DEFAULT_STREAM_CHECKPOINT_MS,
        description,
        recoveries,
      );
    } catch (error) {
      cipher.dispose();
      await lock?.release();
      throw error;
    }
  }

  /** Every conversation, most recently updated first. */
  public listConversations(): ConversationSummary[] {
    this.assertOpen('listConversations');
    return [...this.entries.values()]
      .map((entry) => entry.state.summary())
      .sort((a, b) => b.updatedAt - a.updatedAt || b.createdAt - a.createdAt);
  }

  public async createConversation(input: NewConversation = {}): Promise<Conversation> {
    this.assertOpen('createConversation');
    const settings = parseInput('createConversation', newConversationSchema, input);
    const at = this.now();
    const snapshot: Conversation = {
      id: sodium.to_hex(sodium.randombytes_buf(CONVERSATION_ID_BYTES)),
      title: settings.title ?? '',
      createdAt: at,
      updatedAt: at,
      systemPrompt: settings.systemPrompt ?? '',
      ...(settings.modelRef === undefined ? {} : { modelRef: settings.modelRef }),
      ...(settings.sampling === undefined ? {} : { sampling: settings.sampling }),
      activeLeafId: null,
      messages: [],
    };
    return this.addConversation(snapshot);
  }

  /** A deep copy of the whole tree; see `getActivePath` and `getSiblings` for navigating it. */
  public getConversation(conversationId: string): Conversation {
    this.assertOpen('getConversation');
    return this.requireEntry('getConversation', conversationId).state.toConversation();
  }

  /** A copy of one message: cheaper than `getConversation` while a reply streams into a long conversation. */
  public getMessage(conversationId: string, messageId: string): ChatMessage {
    this.assertOpen('getMessage');
    const message = this.requireEntry('getMessage', conversationId).state.getMessage(messageId);
    if (message === undefined) throw messageNotFound('getMessage', conversationId, messageId);
    return structuredClone(message);
  }

  public async renameConversation(conversationId: string, title: string): Promise<void> {
    const parsed = parseInput('renameConversation', z.string().max(MAX_TITLE_CHARS), title);
    await this.write('renameConversation', conversationId, () => ({
      type: 'renamed',
      at: this.now(),
      title: parsed,
    }));
  }

  public async updateSettings(conversationId: string, update: ConversationSettingsUpdate): Promise<void> {
    const parsed = parseInput('updateSettings', settingsUpdateSchema, update);
    await this.write('updateSettings', conversationId, () => ({
      type: 'settingsChanged',
      at: this.now(),
      ...parsed,
    }));
  }

  /** Removes the conversation's file (not a secure erase, see the class comment). */
  public async deleteConversation(conversationId: string): Promise<void> {
    this.assertOpen('deleteConversation');
    const entry = this.requireEntry('deleteConversation', conversationId);
    await entry.mutex.runExclusive(async () => {
      this.assertOpen('deleteConversation');
      if (entry.deleted) throw notFound('deleteConversation', conversationId);
      clearTimeout(entry.checkpointTimer);
      entry.pending.clear();
      await fs.rm(entry.log.filePath, { force: true });
      await fsyncDirectory(this.dir);
      entry.deleted = true;
      this.entries.delete(conversationId);
    });
  }

  /** Case-insensitive substring search over titles and every message of every branch, decrypted in memory. */
  public search(query: string, options: { readonly limit?: number } = {}): ChatSearchHit[] {
    this.assertOpen('search');
    const needle = query.toLowerCase();
    if (needle.trim() === '') return [];
    const limit = options.limit ?? DEFAULT_SEARCH_LIMIT;
    const hits: ChatSearchHit[] = [];
    const entries = [...this.entries.values()].sort((a, b) => b.state.updatedAt - a.state.updatedAt);
    for (const { state } of entries) {
      const titleSnippet = snippetAround(state.title, needle);
      if (titleSnippet !== undefined) hits.push({ conversationId: state.id, snippet: titleSnippet });
      for (const message of state.allMessages()) {
        if (hits.length >= limit) return hits;
        const snippet = snippetAround(message.content, needle);
        if (snippet !== undefined) hits.push({ conversationId: state.id, messageId: message.id, snippet });
      }
      if (hits.length >= limit) return hits.slice(0, limit);
    }
    return hits;
  }

  /**
   * Adds a message under `parentId` and makes it the active leaf. Regenerate = a new assistant message under the same
   * user message; edit = a new user message under the edited one's parent. Earlier versions stay as siblings.
   */
  public async addMessage(conversationId: string, input: NewMessage): Promise<ChatMessage> {
    const parsed = parseInput('addMessage', newMessageSchema, input);
    const message: ChatMessage = {
      id: sodium.to_hex(sodium.randombytes_buf(MESSAGE_ID_BYTES)),
      createdAt: this.now(),
      ...parsed,
    };
    await this.write('addMessage', conversationId, (state) => {
      if (message.parentId !== null && !state.hasMessage(message.parentId)) {
        throw new ChatMessageNotFoundError(
          `addMessage: parent message ${message.parentId} is not in conversation ${conversationId}`,
        );
      }
      return { type: 'messageAdded', at: message.createdAt, message };
    });
    return structuredClone(message);
  }

  /**
   * Streaming: appends `text` to a message in memory at once (so `getConversation` shows it) and writes the
   * accumulated text at the next checkpoint, within `streamCheckpointMs`, or with the next write such as the
   * `updateMessage` that finalizes the reply. A crash loses at most the text since the last checkpoint.
   */
  public appendToMessage(conversationId: string, messageId: string, text: string): void {
    this.assertOpen('appendToMessage');
    const entry = this.requireEntry('appendToMessage', conversationId);
    const message = entry.state.getMessage(messageId);
    if (message === undefined) throw messageNotFound('appendToMessage', conversationId, messageId);
    if (message.content.length + text.length > MAX_MESSAGE_CHARS) {
      throw new ChatInputError(
        `appendToMessage: message ${messageId} would exceed ${MAX_MESSAGE_CHARS} characters`,
      );
    }
    if (text === '') return;
    message.content += text;
    entry.pending.set(messageId, (entry.pending.get(messageId) ?? '') + text);
    entry.checkpointTimer ??= setTimeout(() => {
      void this.checkpoint(entry);
    }, this.streamCheckpointMs).unref();
  }

  /** Writes all streamed text still held in memory, for one conversation or all. */
  public async flush(conversationId?: string): Promise<void> {
    this.assertOpen('flush');
    const entries =
      conversationId === undefined
        ? [...this.entries.values()]
        : [this.requireEntry('flush', conversationId)];
    for (const entry of entries) await this.savePending(entry);
  }

  /**
   * Replaces content and/or records the end of a reply (finishReason, token counts, model, receipt). Streamed text
   * is written first. Replace `content` only once streaming into the message has stopped: text appended while this
   * write is in flight would be kept on disk but overwritten in memory.
   */
  public async updateMessage(
    conversationId: string,
    messageId: string,
    update: MessageUpdate,
  ): Promise<ChatMessage> {
    const parsed = parseInput('updateMessage', messageUpdateSchema, update);
    let updated: ChatMessage | undefined;
    await this.write(
      'updateMessage',
      conversationId,
      (state) => {
        if (!state.hasMessage(messageId)) throw messageNotFound('updateMessage', conversationId, messageId);
        return { type: 'messageUpdated', at: this.now(), messageId, ...parsed };
      },
      (state) => {
        updated = structuredClone(state.getMessage(messageId));
      },
    );
    if (updated === undefined) throw messageNotFound('updateMessage', conversationId, messageId);
    return updated;
  }

  /**
   * Switches branch: the active leaf becomes the newest leaf below `messageId` (pass a sibling from `getSiblings` to
   * show that version). Returns the new active leaf id.
   */
  public async setActiveLeaf(conversationId: string, messageId: string): Promise<string> {
    let leafId = messageId;
    await this.write('setActiveLeaf', conversationId, (state) => {
      if (!state.hasMessage(messageId)) throw messageNotFound('setActiveLeaf', conversationId, messageId);
      leafId = findNewestLeaf(state.allMessages(), messageId);
      return { type: 'activeLeafSet', at: this.now(), messageId: leafId };
    });
    return leafId;
  }

  /** The active branch as Markdown (plaintext: the caller decides where it goes). */
  public exportMarkdown(conversationId: string): string {
    return exportConversationMarkdown(this.getConversation(conversationId), this.now());
  }

  /** The whole tree as versioned JSON (plaintext: the caller decides where it goes). */
  public exportJson(conversationId: string): string {
    return exportConversationJson(this.getConversation(conversationId), this.now());
  }

  /** Imports an `exportJson` document as a new conversation with fresh ids. Bad input throws `ChatInputError`. */
  public async importJson(json: string): Promise<Conversation> {
    this.assertOpen('importJson');
    const { conversation } = parseConversationExport(json);
    const newIds = new Map<string, string>();
    const freshId = (oldId: string): string => {
      const id = sodium.to_hex(sodium.randombytes_buf(MESSAGE_ID_BYTES));
      newIds.set(oldId, id);
      return id;
    };
    const messages = conversation.messages.map((message) => ({
      ...message,
      id: freshId(message.id),
      parentId: message.parentId === null ? null : (newIds.get(message.parentId) ?? null),
    }));
    return this.addConversation({
      ...conversation,
      id: sodium.to_hex(sodium.randombytes_buf(CONVERSATION_ID_BYTES)),
      activeLeafId:
        conversation.activeLeafId === null ? null : (newIds.get(conversation.activeLeafId) ?? null),
      messages,
    });
  }

  /**
   * Writes streamed text still in memory, then wipes the key. Idempotent; later calls throw
   * `ChatStoreDisposedError`. The key is wiped even when a final write fails (that failure is rethrown).
   */
  public async dispose(): Promise<void> {
    this.disposePromise ??= this.disposeOnce();
    return this.disposePromise;
  }

  private async disposeOnce(): Promise<void> {
    const failures: string[] = [];
    let firstError: unknown;
    for (const entry of this.entries.values()) {
      clearTimeout(entry.checkpointTimer);
      try {
        await this.savePending(entry);
      } catch (error) {
        failures.push(entry.state.id);
        firstError ??= error;
      }
    }
    this.entries.clear();
    this.cipher.dispose();
    await this.lock.release();
    if (failures.length > 0) {
      throw new ChatStoreError(
        `dispose: streamed text of conversation ${failures.join(', ')} could not be saved`,
        {
          cause: firstError,
        },
      );
    }
  }

  private async addConversation(snapshot: Conversation): Promise<Conversation> {
    // Never write what a later open could not read back.
    const checked = conversationSchema.safeParse(snapshot);
    if (!checked.success) {
      throw new ChatInputError(
        `createConversation: invalid field "${checked.error.issues[0]?.path.join('.') ?? ''}"`,
      );
    }
    const state = ConversationState.fromSnapshot(snapshot);
    const log = await ConversationLog.create(
      { dir: this.dir, storeId: this.storeId, cipher: this.cipher },
      snapshot.id,
      snapshot,
    );
    this.entries.set(snapshot.id, newEntry(state, log));
    return state.toConversation();
  }

  /**
   * The one write path for events: under the conversation's lock, build the record from the current state, append
   * it (after any pending streamed text) durably, then apply it to memory.
   */
  private async write(
    operation: string,
    conversationId: string,
    makeRecord: (state: ConversationState) => ChatRecord,
    afterApply?: (state: ConversationState) => void,
  ): Promise<void> {
    this.assertOpen(operation);
    const entry = this.requireEntry(operation, conversationId);
    await entry.mutex.runExclusive(async () => {
      this.assertOpen(operation);
      if (entry.deleted) throw notFound(operation, conversationId);
      const record = makeRecord(entry.state);
      await this.appendRecords(entry, [record]);
      entry.state.apply(record);
      afterApply?.(entry.state);
      await this.compactIfLarge(entry);
    });
  }

  /** Writes the streamed text still held in memory for one conversation, under its lock. */
  private async savePending(entry: ConversationEntry): Promise<void> {
    await entry.mutex.runExclusive(async () => {
      if (!entry.deleted) await this.appendRecords(entry, []);
    });
  }

  /** Appends `records` after the pending streamed text. Call only under the entry's mutex. */
  private async appendRecords(entry: ConversationEntry, records: readonly ChatRecord[]): Promise<void> {
    clearTimeout(entry.checkpointTimer);
    entry.checkpointTimer = undefined;
    const pending = entry.pending;
    entry.pending = new Map();
    const at = this.now();
    const streamed: ChatRecord[] = [...pending].map(([messageId, text]) => ({
      type: 'contentAppended',
      at,
      messageId,
      text,
    }));
    if (streamed.length + records.length === 0) return;
    try {
      await entry.log.append([...streamed, ...records]);
    } catch (error) {
      // Keep the unsaved text, ahead of anything streamed meanwhile, for the next attempt.
      for (const [messageId, text] of entry.pending)
        pending.set(messageId, (pending.get(messageId) ?? '') + text);
      entry.pending = pending;
      throw new ChatStoreError(`writeConversation: saving conversation ${entry.state.id} failed`, {
        cause: error,
      });
    }
  }

  private async checkpoint(entry: ConversationEntry): Promise<void> {
    entry.checkpointTimer = undefined;
    try {
      await entry.mutex.runExclusive(async () => {
        if (!entry.deleted && this.disposePromise === undefined) await this.appendRecords(entry, []);
      });
    } catch {
      // The text stays pending; the next write or `flush` retries and reports the failure to its caller.
    }
  }

  private async compactIfLarge(entry: ConversationEntry): Promise<void> {
    // Streamed text in memory but not on disk would be written twice (snapshot and later delta), so wait for it.
    const threshold = Math.max(
      this.compactAfterRecords,
      COMPACT_RECORDS_PER_MESSAGE * entry.state.messageCount,
    );
    if (entry.log.recordCount < threshold || entry.pending.size > 0) return;
    try {
      await entry.log.compact(entry.state.toConversation());
    } catch {
      // The record that triggered compaction is already durable; the log stays valid and compaction retries later.
    }
  }

  private requireEntry(operation: string, conversationId: string): ConversationEntry {
    const entry = this.entries.get(conversationId);
    if (entry === undefined) throw notFound(operation, conversationId);
    return entry;
  }

  private assertOpen(operation: string): void {
    if (this.disposePromise !== undefined)
      throw new ChatStoreDisposedError(`${operation}: the chat store is disposed`);
  }
}

/**
 * Reads and replays every log. Torn tails are cut only once every conversation has been read and verified, so a
 * store with one damaged conversation stays byte-identical.
 */
async function loadConversations(
  context: ConversationLogContext,
  logNames: readonly string[],
): Promise<{ entries: Map<string, ConversationEntry>; recoveries: ChatStoreRecovery[] }> {
  const entries = new Map<string, ConversationEntry>();
  const torn: { log: ConversationLog; droppedBytes: number }[] = [];
  for (const name of logNames) {
    const conversationId = name.slice(0, -LOG_FILE_SUFFIX.length);
    const { log, records, tornBytes } = await ConversationLog.read(context, conversationId);
    entries.set(conversationId, newEntry(replay(conversationId, records), log));
    if (tornBytes > 0) torn.push({ log, droppedBytes: tornBytes });
  }
  for (const { log } of torn) await log.cutTornTail();
  return {
    entries,
    recoveries: torn.map(({ log, droppedBytes }) => ({ conversationId: log.conversationId, droppedBytes })),
  };
}

function newEntry(state: ConversationState, log: ConversationLog): ConversationEntry {
  return {
    state,
    log,
    mutex: new AsyncMutex(),
    pending: new Map(),
    checkpointTimer: undefined,
    deleted: false,
  };
}

function replay(conversationId: string, records: readonly ChatRecord[]): ConversationState {
  try {
    const [first, ...events] = records;
    if (first?.type !== 'snapshot' || first.conversation.id !== conversationId) {
      throw new ConversationReplayError('the log does not start with this conversation');
    }
    const state = ConversationState.fromSnapshot(first.conversation);
    for (const record of events) state.apply(record);
    return state;
  } catch (error) {
    if (!(error instanceof ConversationReplayError)) throw error;
    throw new ChatStoreCorruptError(
      `openChatStore: conversation ${conversationId} is inconsistent (${error.message}); nothing was changed`,
      { cause: error },
    );
  }
}

function parseInput<T extends z.ZodType>(operation: string, schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? '(value)' : issue.path.join('.');
  throw new ChatInputError(`${operation}: invalid field "${field}": ${issue?.message ?? 'invalid'}`);
}

function notFound(operation: string, conversationId: string): ConversationNotFoundError {
  return new ConversationNotFoundError(`${operation}: no conversation ${conversationId}`);
}

function messageNotFound(
  operation: string,
  conversationId: string,
  messageId: string,
): ChatMessageNotFoundError {
  return new ChatMessageNotFoundError(
    `${operation}: no message ${messageId} in conversation ${conversationId}`,
  );
}

async function listDirectory(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return [];
    throw error;
  }
}

/** `text` around the first case-insensitive match of `needle` (already lower-cased), or undefined. */
function snippetAround(text: string, needle: string): string | undefined {
  const lower = text.toLowerCase();
  const index = lower.indexOf(needle);
  if (index < 0) return undefined;
  // Lower-casing can change lengths (e.g. 'İ'); then show the lower-cased text rather than a misaligned cut.
  const source = lower.length === text.length ? text : lower;
  const start = Math.max(0, index - SNIPPET_CONTEXT_CHARS);
  const end = Math.min(source.length, index + needle.length + SNIPPET_CONTEXT_CHARS);
  const body = source.slice(start, end).replace(/\s+/g, ' ');
  return `${start > 0 ? '…' : ''}${body}${end < source.length ? '…' : ''}`;
}

import { missingCaseError } from '../errors/missingCaseError';
import { VeilError } from '../errors/VeilError';
import type { ChatRecord } from './chatRecordSchema';
import type {
  ChatMessage,
  Conversation,
  ConversationSummary,
  ModelRef,
  SamplingSettings,
} from './chatSchemas';

/** A replayed record contradicts the conversation so far (unknown message, duplicate id, …). */
export class ConversationReplayError extends VeilError {}

/**
 * The in-memory, mutable form of one conversation, built by replaying its log. `ChatStore` changes it only after
 * the matching record is safely on disk, so memory never runs ahead of what a restart would restore — except for
 * streamed text that is still waiting for its next checkpoint.
 */
export class ConversationState {
  public title: string;
  public readonly createdAt: number;
  public updatedAt: number;
  public systemPrompt: string;
  public modelRef: ModelRef | undefined;
  public sampling: SamplingSettings | undefined;
  public activeLeafId: string | null;
  private readonly messages: ChatMessage[] = [];
  private readonly byId = new Map<string, ChatMessage>();

  private constructor(
    public readonly id: string,
    snapshot: Conversation,
  ) {
    this.title = snapshot.title;
    this.createdAt = snapshot.createdAt;
    this.updatedAt = snapshot.updatedAt;
    this.systemPrompt = snapshot.systemPrompt;
    this.modelRef = snapshot.modelRef;
    this.sampling = snapshot.sampling;
    this.activeLeafId = null;
    for (const message of snapshot.messages) this.insertMessage({ ...message });
    if (snapshot.activeLeafId !== null) this.requireMessage(snapshot.activeLeafId);
    this.activeLeafId = snapshot.activeLeafId;
  }

  /** Builds the state from a snapshot; throws `ConversationReplayError` when the tree is inconsistent. */
  public static fromSnapshot(snapshot: Conversation): ConversationState {
    return new ConversationState(snapshot.id, snapshot);
  }

  public get messageCount(): number {
    return this.messages.length;
  }

  public hasMessage(messageId: string): boolean {
    return this.byId.has(messageId);
  }

  public getMessage(messageId: string): ChatMessage | undefined {
    return this.byId.get(messageId);
  }

  /** Every message in creation order (live objects: do not hand them out). */
  public allMessages(): readonly ChatMessage[] {
    return this.messages;
  }

  /** Applies one event record. `snapshot` records only ever start a log and are rejected here. */
  public apply(record: ChatRecord): void {
    switch (record.type) {
      case 'snapshot':
        throw new ConversationReplayError('a snapshot record appears after the start of the log');
      case 'renamed':
        this.title = record.title;
        break;
      case 'settingsChanged':
        if (record.systemPrompt !== undefined) this.systemPrompt = record.systemPrompt;
        if (record.modelRef !== undefined) this.modelRef = record.modelRef ?? undefined;
        if (record.sampling !== undefined) this.sampling = record.sampling ?? undefined;
        break;
      case 'messageAdded':
        this.insertMessage({ ...record.message });
        this.activeLeafId = record.message.id;
        break;
      case 'contentAppended':
        this.requireMessage(record.messageId).content += record.text;
        break;
      case 'messageUpdated': {
        const message = this.requireMessage(record.messageId);
        if (record.content !== undefined) message.content = record.content;
        if (record.finishReason !== undefined) message.finishReason = record.finishReason;
        if (record.promptTokens !== undefined) message.promptTokens = record.promptTokens;
        if (record.completionTokens !== undefined) message.completionTokens = record.completionTokens;
        if (record.modelRef !== undefined) message.modelRef = record.modelRef;
        if (record.receipt !== undefined) message.receipt = record.receipt;
        if (record.error !== undefined) message.error = record.error;
        break;
      }
      case 'activeLeafSet':
        this.requireMessage(record.messageId);
        this.activeLeafId = record.messageId;
        break;
      default:
        throw missingCaseError(record);
    }
    this.updatedAt = Math.max(this.updatedAt, record.at);
  }

  /** A deep copy, safe to hand to callers and to write as a snapshot. */
  public toConversation(): Conversation {
    return structuredClone({
      id: this.id,
      title: this.title,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
      systemPrompt: this.systemPrompt,
      ...(this.modelRef === undefined ? {} : { modelRef: this.modelRef }),
      ...(this.sampling === undefined ? {} : { sampling: this.sampling }),
      activeLeafId: this.activeLeafId,
      messages: this.messages,
    });
  }

  public summary(): ConversationSummary {
    return {
      id: this.id,
      title: this.title,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
      messageCount: this.messages.length,
      ...(this.modelRef === undefined ? {} : { modelRef: { ...this.modelRef } }),
    };
  }

  private insertMessage(message: ChatMessage): void {
    if (this.byId.has(message.id)) throw new ConversationReplayError(`message ${message.id} is added twice`);
    // Parents must exist before their children, which also rules out cycles.
    if (message.parentId !== null) this.requireMessage(message.parentId);
    this.messages.push(message);
    this.byId.set(message.id, message);
  }

  private requireMessage(messageId: string): ChatMessage {
    const message = this.byId.get(messageId);
    if (message === undefined) throw new ConversationReplayError(`message ${messageId} does not exist`);
    return message;
  }
}

import type {
  ChatMessage as StoredMessage,
  ChatSearchHit,
  Conversation as StoredConversation,
  ConversationSummary as StoredSummary,
  ModelRef as StoredModelRef,
  SamplingSettings,
} from '../chats/chatSchemas';
import {
  DEFAULT_SAMPLING,
  FinishReason,
  MAX_TEXT_LENGTH,
  type CatalogEntry,
  type Conversation,
  type ConversationSummary,
  type FitEstimate,
  type Message,
  type ModelRef,
  type ModelSummary,
  type Sampling,
  type SearchHit,
} from '../contract/dto';
import type { FitEstimate as EngineFitEstimate } from '../engine/engineTypes';
import type { CatalogModel } from '../models/catalog';
import type { InstalledModel } from '../models/InstalledModel';

// The one place where the core's types become the UI contract's DTOs. The store accepts wider ranges than the
// contract in places (longer titles, sampling limits, imported messages up to 10 MB), so values are bounded here
// rather than letting one odd conversation fail the contract's output check and become unviewable.

/** Contract limits the store does not share (see `dto.ts`). */
const MAX_TITLE_LENGTH = 500;
const MAX_MODEL_ID_LENGTH = 128;
const MAX_SNIPPET_LENGTH = 400;
const MAX_CONTRACT_TOP_K = 1000;
const MAX_CONTRACT_MAX_TOKENS = 131_072;
const MIN_CONTRACT_REPEAT_PENALTY = 0.5;
const MAX_CONTRACT_REPEAT_PENALTY = 3;
const MAX_CONTRACT_SEED = 2 ** 32 - 1;
/** The smallest topP the contract accepts (it must be > 0). */
const MIN_CONTRACT_TOP_P = 0.01;
/** Shown at the end of a message too long for the UI contract; the stored message itself is untouched. */
const TRUNCATION_MARKER = '\n\n[… truncated for display]';

/** Extra state the store does not keep: the reply being generated. */
export interface ConversationExtras {
  readonly generatingMessageId?: string;
}

export function toConversationDto(
  conversation: StoredConversation,
  extras: ConversationExtras = {},
): Conversation {
  const modelRef = toModelRefDto(conversation.modelRef);
  return {
    id: conversation.id,
    title: conversation.title.slice(0, MAX_TITLE_LENGTH),
    createdAt: conversation.createdAt,
    updatedAt: conversation.updatedAt,
    systemPrompt: boundText(conversation.systemPrompt),
    ...(modelRef === undefined ? {} : { modelRef }),
    sampling: toSamplingDto(conversation.sampling),
    messages: conversation.messages.map((message) => toMessageDto(message)),
    activeLeafId: conversation.activeLeafId,
    ...(extras.generatingMessageId === undefined ? {} : { generatingMessageId: extras.generatingMessageId }),
  };
}

export function toMessageDto(message: StoredMessage): Message {
  const modelRef = toModelRefDto(message.modelRef);
  const finishReason = FinishReason.safeParse(message.finishReason);
  return {
    id: message.id,
    parentId: message.parentId,
    role: message.role,
    content: boundText(message.content),
    createdAt: message.createdAt,
    ...(modelRef === undefined ? {} : { modelRef }),
    ...(finishReason.success ? { finishReason: finishReason.data } : {}),
    ...(message.promptTokens === undefined ? {} : { promptTokens: message.promptTokens }),
    ...(message.completionTokens === undefined ? {} : { completionTokens: message.completionTokens }),
    ...(message.error === undefined ? {} : { error: message.error }),
  };
}

export function toConversationSummaryDto(summary: StoredSummary): ConversationSummary {
  const modelRef = toModelRefDto(summary.modelRef);
  return {
    id: summary.id,
    title: summary.title.slice(0, MAX_TITLE_LENGTH),
    createdAt: summary.createdAt,
    updatedAt: summary.updatedAt,
    messageCount: summary.messageCount,
    ...(modelRef === undefined ? {} : { modelRef }),
  };
}

export function toSearchHitDto(hit: ChatSearchHit, title: string): SearchHit {
  return {
    conversationId: hit.conversationId,
    ...(hit.messageId === undefined ? {} : { messageId: hit.messageId }),
    title: title.slice(0, MAX_TITLE_LENGTH),
    snippet: hit.snippet.slice(0, MAX_SNIPPET_LENGTH),
  };
}

/** A stored model reference, or undefined when its id is longer than the contract allows (never produced by Veil). */
export function toModelRefDto(ref: StoredModelRef | undefined): ModelRef | undefined {
  if (ref === undefined || ref.id.length > MAX_MODEL_ID_LENGTH) return undefined;
  if (ref.providerId !== undefined && ref.providerId.length > MAX_MODEL_ID_LENGTH)
    return { kind: ref.kind, id: ref.id };
  return {
    kind: ref.kind,
    id: ref.id,
    ...(ref.providerId === undefined ? {} : { providerId: ref.providerId }),
  };
}

export function fromModelRefDto(ref: ModelRef): StoredModelRef {
  return {
    kind: ref.kind,
    id: ref.id,
    ...(ref.providerId === undefined ? {} : { providerId: ref.providerId }),
  };
}

/** Every sampling field the contract requires: stored values (clamped to the contract's ranges) over the defaults. */
export function toSamplingDto(sampling: SamplingSettings | undefined): Sampling {
  const merged: Sampling = {
    temperature: sampling?.temperature ?? DEFAULT_SAMPLING.temperature,
    topP: clamp(sampling?.topP ?? DEFAULT_SAMPLING.topP, MIN_CONTRACT_TOP_P, 1),
    topK: Math.min(sampling?.topK ?? DEFAULT_SAMPLING.topK, MAX_CONTRACT_TOP_K),
    maxTokens: Math.min(sampling?.maxTokens ?? DEFAULT_SAMPLING.maxTokens, MAX_CONTRACT_MAX_TOKENS),
    repeatPenalty: clamp(
      sampling?.repeatPenalty ?? DEFAULT_SAMPLING.repeatPenalty,
      MIN_CONTRACT_REPEAT_PENALTY,
      MAX_CONTRACT_REPEAT_PENALTY,
    ),
  };
  return sampling?.seed === undefined || sampling.seed > MAX_CONTRACT_SEED
    ? merged
    : { ...merged, seed: sampling.seed };
}

/** The contract's sampling as the store keeps it (every field set, so later default changes do not alter it). */
export function fromSamplingDto(sampling: Sampling): SamplingSettings {
  return { ...sampling };
}

export function toModelSummaryDto(model: InstalledModel, loaded: boolean, fit?: FitEstimate): ModelSummary {
  return {
    id: model.id,
    name: model.name.slice(0, 300),
    fileName: model.fileName.slice(0, 500),
    sizeBytes: model.sizeBytes,
    architecture: model.architecture.slice(0, 100),
    parameterCount: model.parameterCount,
    quantization: model.quantization.slice(0, 50),
    contextLength: model.contextLength,
    sha256: model.sha256,
    status: model.status,
    loaded,
    ...(fit === undefined ? {} : { fit }),
  };
}

export function toFitEstimateDto(estimate: EngineFitEstimate): FitEstimate {
  return {
    fits: estimate.fits,
    contextSize: estimate.contextSize,
    gpuLayers: estimate.gpuLayers,
    ramBytes: Math.max(0, Math.round(estimate.ramBytes)),
    vramBytes: Math.max(0, Math.round(estimate.vramBytes)),
  };
}

export function toCatalogEntryDto(model: CatalogModel): CatalogEntry {
  return {
    id: model.id,
    name: model.name,
    description: model.description,
    hfRef: model.hfRef,
    sizeBytes: model.sizeBytes,
    ...(model.sha256 === undefined ? {} : { sha256: model.sha256 }),
    minMemoryBytes: model.minMemoryBytes,
    contextLength: model.contextLength,
    license: model.license,
  };
}

function boundText(text: string): string {
  if (text.length <= MAX_TEXT_LENGTH) return text;
  return text.slice(0, MAX_TEXT_LENGTH - TRUNCATION_MARKER.length) + TRUNCATION_MARKER;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

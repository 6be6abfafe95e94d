import { z } from 'zod';

// The data shapes that cross the UI boundary (Electron IPC or the `veil serve` WebSocket). They are the UI's view of
// the core, not the core's internal types: the service maps one onto the other. Every limit here is a trust-boundary
// limit, so a buggy or hostile page cannot push unbounded data into the core.

/** Ids are opaque strings chosen by the core. */
export const Id = z.string().min(1).max(128);

/** Generous, finite bound on user-written text (a message or a system prompt): 1 MiB of UTF-16 code units. */
export const MAX_TEXT_LENGTH = 1 << 20;
const Text = z.string().max(MAX_TEXT_LENGTH);
const Timestamp = z.number().int().nonnegative();
const Bytes = z.number().int().nonnegative();

export const ModelRef = z.strictObject({
  /** `local`: a model in this machine's library. `network`: a model served by a remote provider (requester issue). */
  kind: z.enum(['local', 'network']),
  id: Id,
  /** For network models: the provider chosen, if any. */
  providerId: Id.optional(),
});
export type ModelRef = z.infer<typeof ModelRef>;

export const Sampling = z.strictObject({
  temperature: z.number().min(0).max(5),
  topP: z.number().gt(0).max(1),
  topK: z.number().int().min(0).max(1000),
  maxTokens: z.number().int().min(1).max(131_072),
  repeatPenalty: z.number().min(0.5).max(3),
  seed: z
    .number()
    .int()
    .nonnegative()
    .max(2 ** 32 - 1)
    .optional(),
});
export type Sampling = z.infer<typeof Sampling>;

export const DEFAULT_SAMPLING: Sampling = {
  temperature: 0.7,
  topP: 0.95,
  topK: 40,
  maxTokens: 1024,
  repeatPenalty: 1.1,
};

export const FinishReason = z.enum(['stop', 'length', 'aborted', 'error']);
export type FinishReason = z.infer<typeof FinishReason>;

export const ErrorInfo = z.strictObject({ name: z.string().max(200), message: z.string().max(4000) });
export type ErrorInfo = z.infer<typeof ErrorInfo>;

export const FitEstimate = z.strictObject({
  fits: z.boolean(),
  contextSize: z.number().int().positive(),
  gpuLayers: z.number().int().nonnegative(),
  ramBytes: Bytes,
  vramBytes: Bytes,
});
export type FitEstimate = z.infer<typeof FitEstimate>;

export const ModelSummary = z.strictObject({
  id: Id,
  name: z.string().max(300),
  fileName: z.string().max(500),
  sizeBytes: Bytes,
  architecture: z.string().max(100),
  parameterCount: z.number().nonnegative(),
  quantization: z.string().max(50),
  contextLength: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** `missing`/`changed`: a file imported by reference that moved or changed since. */
  status: z.enum(['ready', 'missing', 'changed']),
  loaded: z.boolean(),
  fit: FitEstimate.optional(),
});
export type ModelSummary = z.infer<typeof ModelSummary>;

export const CatalogEntry = z.strictObject({
  id: Id,
  name: z.string().max(200),
  description: z.string().max(2000),
  hfRef: z.string().max(500),
  sizeBytes: Bytes,
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  minMemoryBytes: Bytes,
  contextLength: z.number().int().positive(),
  license: z.string().max(100),
});
export type CatalogEntry = z.infer<typeof CatalogEntry>;

export const DownloadState = z.strictObject({
  id: Id,
  source: z.string().max(2000),
  name: z.string().max(300),
  state: z.enum(['downloading', 'paused', 'verifying', 'done', 'failed', 'cancelled']),
  downloadedBytes: Bytes,
  totalBytes: Bytes.optional(),
  bytesPerSecond: z.number().nonnegative().optional(),
  /** Set when `state` is `done`. */
  modelId: Id.optional(),
  error: ErrorInfo.optional(),
});
export type DownloadState = z.infer<typeof DownloadState>;

/** What a requester verified about a network answer (requester issue); absent for local answers. */
export const ReceiptSummary = z.strictObject({
  providerId: Id,
  keyId: z.string().max(200),
  modelSha256: z.string().regex(/^[0-9a-f]{64}$/),
  verified: z.boolean(),
  startedAt: Timestamp,
  finishedAt: Timestamp,
});
export type ReceiptSummary = z.infer<typeof ReceiptSummary>;

export const Message = z.strictObject({
  id: Id,
  parentId: Id.nullable(),
  role: z.enum(['system', 'user', 'assistant']),
  content: Text,
  createdAt: Timestamp,
  modelRef: ModelRef.optional(),
  finishReason: FinishReason.optional(),
  promptTokens: z.number().int().nonnegative().optional(),
  completionTokens: z.number().int().nonnegative().optional(),
  error: ErrorInfo.optional(),
  receipt: ReceiptSummary.optional(),
});
export type Message = z.infer<typeof Message>;

export const ConversationSummary = z.strictObject({
  id: Id,
  title: z.string().max(500),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  messageCount: z.number().int().nonnegative(),
  modelRef: ModelRef.optional(),
});
export type ConversationSummary = z.infer<typeof ConversationSummary>;

export const Conversation = z.strictObject({
  id: Id,
  title: z.string().max(500),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  systemPrompt: Text,
  modelRef: ModelRef.optional(),
  sampling: Sampling,
  /** Every message of the tree; `parentId` links them. Edits and regenerations add siblings. */
  messages: z.array(Message).max(100_000),
  /** The last message of the branch on screen; the UI walks `parentId` up from here. */
  activeLeafId: Id.nullable(),
  /** Set while a reply is being generated in this conversation. */
  generatingMessageId: Id.optional(),
});
export type Conversation = z.infer<typeof Conversation>;

export const SearchHit = z.strictObject({
  conversationId: Id,
  messageId: Id.optional(),
  title: z.string().max(500),
  snippet: z.string().max(400),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const Settings = z.strictObject({
  modelsDir: z.string().min(1).max(4096),
  /** CPU threads for inference; `0` means the physical core count. */
  threads: z.number().int().min(0).max(256),
  /** `auto`: node-llama-cpp's fit estimate; `off`: CPU only; a number: that many layers. */
  gpuOffload: z.union([z.enum(['auto', 'off']), z.number().int().min(0).max(1000)]),
  contextSize: z.number().int().min(256).max(1_048_576),
  theme: z.enum(['light', 'dark', 'system']),
});
export type Settings = z.infer<typeof Settings>;

export const ChatKeyInfo = z.strictObject({
  kind: z.string().max(50),
  /** False when the key is not protected by the OS (Linux `basic_text`): the UI shows `warning`. */
  protected: z.boolean(),
  warning: z.string().max(1000).optional(),
});
export type ChatKeyInfo = z.infer<typeof ChatKeyInfo>;

export const SystemInfo = z.strictObject({
  appVersion: z.string().max(50),
  /** Where the UI runs: the desktop app, or a browser served by `veil serve`. */
  mode: z.enum(['desktop', 'browser']),
  backend: z.enum(['metal', 'cuda', 'vulkan', 'cpu']),
  gpuNames: z.array(z.string().max(200)).max(16),
  threads: z.number().int().positive(),
  ramTotalBytes: Bytes,
  ramFreeBytes: Bytes,
  vramTotalBytes: Bytes,
  vramFreeBytes: Bytes,
  dataDir: z.string().max(4096),
  chatKey: ChatKeyInfo,
});
export type SystemInfo = z.infer<typeof SystemInfo>;

/** A model offered by remote providers (requester issue). */
export const NetworkModel = z.strictObject({
  id: Id,
  name: z.string().max(300),
  modelSha256: z.string().regex(/^[0-9a-f]{64}$/),
  providers: z.number().int().nonnegative(),
});
export type NetworkModel = z.infer<typeof NetworkModel>;

/** Provider mode (provider issue): whether this machine serves others right now, and why not. */
export const ProviderStatus = z.strictObject({
  state: z.enum(['off', 'waiting', 'serving', 'paused']),
  reason: z.string().max(500).optional(),
  jobsServed: z.number().int().nonnegative(),
  earnedCredits: z.number().nonnegative(),
});
export type ProviderStatus = z.infer<typeof ProviderStatus>;

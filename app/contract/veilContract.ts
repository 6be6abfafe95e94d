import { z } from 'zod';
import {
  CatalogEntry,
  Conversation,
  ConversationSummary,
  DownloadState,
  ErrorInfo,
  FinishReason,
  FitEstimate,
  Id,
  MAX_TEXT_LENGTH,
  ModelRef,
  ModelSummary,
  NetworkModel,
  ProviderStatus,
  Sampling,
  SearchHit,
  Settings,
  SystemInfo,
} from './dto';
import { VEIL_METHOD_NAMES, type VeilMethodName } from './veilMethodNames';

// The one typed contract between the UI and the core. The core implements `VeilApi` once; Electron IPC and the
// `veil serve` WebSocket both carry it unchanged, so the same renderer build runs on either.

const NoInput = z.undefined();
const NoOutput = z.null();
const ById = z.strictObject({ id: Id });
const ByConversation = z.strictObject({ conversationId: Id });
const Exported = z.strictObject({ fileName: z.string().max(300), content: z.string() });

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

/** Every method: its argument schema (checked by the transport before the core sees it) and its result schema. */
export const veilContract = {
  'system.getInfo': method(NoInput, SystemInfo),
  'settings.get': method(NoInput, Settings),
  'settings.update': method(Settings.partial().strict(), Settings),

  'models.list': method(NoInput, z.array(ModelSummary)),
  'models.catalog': method(NoInput, z.array(CatalogEntry)),
  'models.import': method(
    z.strictObject({
      path: z.string().min(1).max(4096),
      mode: z.enum(['copy', 'reference']),
      name: z.string().min(1).max(200).optional(),
    }),
    ModelSummary,
  ),
  'models.remove': method(ById, NoOutput),
  'models.load': method(
    z.strictObject({ id: Id, contextSize: z.number().int().min(256).optional() }),
    ModelSummary,
  ),
  'models.unload': method(ById, NoOutput),
  'models.estimateFit': method(
    z.strictObject({ id: Id, contextSize: z.number().int().min(256) }),
    FitEstimate,
  ),

  'downloads.list': method(NoInput, z.array(DownloadState)),
  'downloads.start': method(
    z.strictObject({
      source: z.string().min(1).max(2000),
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
      name: z.string().min(1).max(200).optional(),
    }),
    DownloadState,
  ),
  'downloads.pause': method(ById, DownloadState),
  'downloads.resume': method(ById, DownloadState),
  'downloads.cancel': method(ById, DownloadState),

  'chats.list': method(NoInput, z.array(ConversationSummary)),
  'chats.get': method(ById, Conversation),
  'chats.create': method(
    z.strictObject({
      title: z.string().max(500).optional(),
      systemPrompt: z.string().max(MAX_TEXT_LENGTH).optional(),
      modelRef: ModelRef.optional(),
      sampling: Sampling.optional(),
    }),
    Conversation,
  ),
  'chats.rename': method(z.strictObject({ id: Id, title: z.string().min(1).max(500) }), ConversationSummary),
  'chats.updateSettings': method(
    z.strictObject({
      id: Id,
      systemPrompt: z.string().max(MAX_TEXT_LENGTH).optional(),
      modelRef: ModelRef.optional(),
      sampling: Sampling.optional(),
    }),
    Conversation,
  ),
  'chats.delete': method(ById, NoOutput),
  'chats.search': method(z.strictObject({ query: z.string().min(1).max(500) }), z.array(SearchHit)),
  'chats.exportMarkdown': method(ById, Exported),
  'chats.exportJson': method(ById, Exported),
  'chats.importJson': method(
    z.strictObject({
      content: z
        .string()
        .min(1)
        .max(64 * MAX_TEXT_LENGTH),
    }),
    ConversationSummary,
  ),

  /** Appends a user message under `parentId` (default: the active leaf) and starts the reply; tokens arrive as events. */
  'chat.send': method(
    z.strictObject({
      conversationId: Id,
      content: z.string().min(1).max(MAX_TEXT_LENGTH),
      parentId: Id.optional(),
    }),
    z.strictObject({ userMessageId: Id, assistantMessageId: Id }),
  ),
  /** A new reply as a sibling of assistant message `messageId`; the old one stays as another version. */
  'chat.regenerate': method(
    z.strictObject({ conversationId: Id, messageId: Id }),
    z.strictObject({ assistantMessageId: Id }),
  ),
  /** Editing user message `messageId` creates a sibling user message (a branch) and replies to it. */
  'chat.edit': method(
    z.strictObject({ conversationId: Id, messageId: Id, content: z.string().min(1).max(MAX_TEXT_LENGTH) }),
    z.strictObject({ userMessageId: Id, assistantMessageId: Id }),
  ),
  'chat.stop': method(ByConversation, NoOutput),
  /** Shows the branch through `messageId` (following the most recent children below it). */
  'chat.switchBranch': method(z.strictObject({ conversationId: Id, messageId: Id }), Conversation),

  'network.listModels': method(NoInput, z.array(NetworkModel)),
  'provider.getStatus': method(NoInput, ProviderStatus),
} as const;

export type VeilContract = typeof veilContract;
export type VeilMethod = keyof VeilContract;
export const VEIL_METHODS = Object.keys(veilContract) as VeilMethod[];

// The preload's name list must name exactly the contract's methods: each assignment fails to compile otherwise.
const _everyNameIsAMethod: readonly VeilMethod[] = VEIL_METHOD_NAMES;
const _everyMethodIsNamed: Record<VeilMethod, true> = Object.fromEntries(
  VEIL_METHOD_NAMES.map((name) => [name, true]),
) as Record<VeilMethodName, true>;
void _everyNameIsAMethod;
void _everyMethodIsNamed;

export type MethodInput<M extends VeilMethod> = z.input<VeilContract[M]['input']>;
export type MethodOutput<M extends VeilMethod> = z.output<VeilContract[M]['output']>;

/** The core's side of the contract: one async function per method. */
export type VeilApi = {
  [M in VeilMethod]: (input: z.output<VeilContract[M]['input']>) => Promise<MethodOutput<M>>;
};

/** Events the core pushes to every connected UI. */
export const VeilEvent = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('generation.token'),
    conversationId: Id,
    messageId: Id,
    text: z.string(),
  }),
  z.strictObject({
    type: z.literal('generation.finished'),
    conversationId: Id,
    messageId: Id,
    finishReason: FinishReason,
    promptTokens: z.number().int().nonnegative(),
    completionTokens: z.number().int().nonnegative(),
    error: ErrorInfo.optional(),
  }),
  z.strictObject({ type: z.literal('download.progress'), download: DownloadState }),
  z.strictObject({ type: z.literal('models.changed') }),
  z.strictObject({ type: z.literal('chats.changed'), conversationId: Id.optional() }),
  z.strictObject({ type: z.literal('provider.status'), status: ProviderStatus }),
]);
export type VeilEvent = z.infer<typeof VeilEvent>;

export function isVeilMethod(name: string): name is VeilMethod {
  return Object.hasOwn(veilContract, name);
}

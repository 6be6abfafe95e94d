import { z } from 'zod';

export const ChatRole = z.enum(['system', 'user', 'assistant']);
export type ChatRole = z.infer<typeof ChatRole>;

export const ChatMessage = z.strictObject({ role: ChatRole, content: z.string() });
export type ChatMessage = z.infer<typeof ChatMessage>;

/** Upper bound on stop strings per request, so a request cannot make every token scan thousands of triggers. */
export const MAX_STOP_STRINGS = 16;

/**
 * One generation. Each request carries the full history and is independent of the others, so many conversations can
 * share one loaded model. When the last message is from the assistant, the model continues that message.
 */
export const GenerateRequest = z.strictObject({
  /** The conversation so far, oldest first. */
  messages: z.array(ChatMessage).min(1),
  /** Maximum tokens to generate. Defaults to the model's context size per sequence. */
  maxTokens: z.number().int().min(1).optional(),
  /** Sampling temperature; 0 picks the most likely token every time (greedy). Defaults to 0. */
  temperature: z.number().min(0).max(5).optional(),
  /** Nucleus sampling threshold in (0, 1]; 1 disables it. Only used when temperature > 0. Defaults to 0.95. */
  topP: z.number().gt(0).max(1).optional(),
  /** Sample from the K most likely tokens; 0 disables it. Only used when temperature > 0. Defaults to 40. */
  topK: z.number().int().min(0).optional(),
  /** Sampling seed for reproducible output when temperature > 0. Defaults to a time-based seed. */
  seed: z
    .number()
    .int()
    .nonnegative()
    .max(2 ** 32 - 1)
    .optional(),
  /** Penalty for repeating any of the last 64 tokens; 1 disables it. Defaults to 1.1 (node-llama-cpp's default). */
  repeatPenalty: z.number().min(0.5).max(3).optional(),
  /** Generation stops before any of these strings; they are not part of the text. Defaults to none. */
  stop: z.array(z.string().min(1)).max(MAX_STOP_STRINGS).optional(),
});
export type GenerateRequest = z.infer<typeof GenerateRequest>;

/** A streamed chunk: usually one token, sometimes a few when a token only completes a multi-byte character. */
export interface TokenEvent {
  text: string;
  /** Tokens this chunk carries. */
  tokenCount: number;
  /** Set for reasoning output outside the answer (`thought`) or side comments; the answer itself has no segment. */
  segment?: 'thought' | 'comment';
}

/** `stop`: end of turn or a stop string. `length`: hit maxTokens. `aborted`: the caller's signal. `error`: see `error`. */
export type FinishReason = 'stop' | 'length' | 'aborted' | 'error';

export interface GenerateResult {
  /** The answer (without thought segments). On `aborted`, exactly the text streamed before the abort. */
  text: string;
  finishReason: FinishReason;
  /** Tokens of the rendered prompt (chat template applied to the whole history). */
  promptTokens: number;
  /** Tokens streamed as the response (thought segments included). */
  completionTokens: number;
  /** Set when finishReason is `error`. */
  error?: { name: string; message: string };
}

export interface GenerateOptions {
  /** Stops the generation after the current token; the result then has finishReason `aborted`. Defaults to none. */
  signal?: AbortSignal;
  /** Receives each streamed chunk. No chunk arrives after the signal aborts. Defaults to no callback. */
  onToken?: (event: TokenEvent) => void;
}

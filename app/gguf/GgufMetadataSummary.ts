import { z } from 'zod';

/** What the model library records about a GGUF model. Plain data: safe to persist and send over IPC. */
export const ggufMetadataSummarySchema = z.object({
  /** `general.architecture`, e.g. `llama`, `qwen2`. */
  architecture: z.string().min(1),
  /** `general.name`, when the file has one. */
  name: z.string().optional(),
  /** Total tensor elements. */
  parameterCount: z.number().int().nonnegative(),
  /** Human name of `general.file_type` (`F32`, `F16`, `Q4_K_M`, …), else of the dominant tensor type. */
  quantization: z.string().min(1),
  /** `<arch>.context_length`: the context the model was trained for. */
  contextLength: z.number().int().positive(),
  /** `<arch>.block_count`: transformer layers. */
  layers: z.number().int().positive(),
  /** `<arch>.embedding_length`. */
  embeddingLength: z.number().int().positive(),
  /** File size in bytes. */
  fileSize: z.number().int().positive(),
  /** Whether the file carries a `tokenizer.chat_template`. */
  chatTemplate: z.boolean(),
});

export type GgufMetadataSummary = z.infer<typeof ggufMetadataSummarySchema>;

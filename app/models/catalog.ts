import { z } from 'zod';
import { sha256HexSchema } from './InstalledModel';

/** One gibibyte, for readable sizes below. */
const GIB = 1024 ** 3;

/** A Hugging Face file reference: `hf:owner/repo/path/file.gguf`, optionally pinned with `#revision`. */
const hfFileReferenceSchema = z
  .string()
  .regex(
    /^hf:[A-Za-z0-9][\w.-]*\/[\w.-]+\/(?:[\w.-]+\/)*[\w.-]+\.gguf(?:#[\w.-]+)?$/,
    'must be hf:owner/repo/file.gguf[#revision]',
  );

/** A recommended model the UI can offer for download. */
export const catalogModelSchema = z.object({
  /** Stable id, also the default name the model is installed under. */
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'must be lowercase letters, digits, dots and dashes'),
  name: z.string().min(1),
  description: z.string().min(1),
  /** Where to download it. Entries with a `sha256` pin the revision (`#<commit>`) the hash was read from. */
  hfRef: hfFileReferenceSchema,
  /** Download size in bytes, as the hub displays it (rounded to three significant digits). */
  sizeBytes: z.number().int().positive(),
  /** sha256 of the file at the pinned revision, from the hub's LFS pointer; absent when it could not be checked. */
  sha256: sha256HexSchema.optional(),
  /** Rough memory needed to chat at a 4K context: the weights plus KV cache and runtime overhead. */
  minMemoryBytes: z.number().int().positive(),
  /** Context length the model was trained for (its GGUF `context_length`). */
  contextLength: z.number().int().positive(),
  /** SPDX id or the name of the model's own license. */
  license: z.string().min(1),
});
export type CatalogModel = z.infer<typeof catalogModelSchema>;

/** The whole catalog: ids and references are unique. */
export const modelCatalogSchema = z
  .array(catalogModelSchema)
  .refine((models) => new Set(models.map((model) => model.id)).size === models.length, 'ids must be unique')
  .refine(
    (models) => new Set(models.map((model) => model.hfRef)).size === models.length,
    'hfRefs must be unique',
  );

/**
 * Recommended open models for private chat, small to mid-size, all Q4_K_M (the usual quality/size balance). File
 * names, sizes and hashes come from the Hugging Face file pages (LFS pointer details); a
 * `sha256` is given only together with the commit it was read at, so the download is pinned to exactly those bytes.
 * The others follow the repository's main branch and are installed with `verified: false`.
 */
export const MODEL_CATALOG: readonly CatalogModel[] = modelCatalogSchema.parse([
  {
    id: 'llama-3.2-1b-instruct',
    name: 'Llama 3.2 1B Instruct',
    description: "Meta's smallest chat model: fast on any laptop, fine for short answers and simple tasks.",
    hfRef:
      'hf:bartowski/Llama-3.2-1B-Instruct-GGUF/Llama-3.2-1B-Instruct-Q4_K_M.gguf#d52af3776f99ddf220e5ffd3f93b2a4e4df105be',
    sizeBytes: 808_000_000,
    sha256: '6f85a640a97cf2bf5b8e764087b1e83da0fdb51d7c9fab7d0fece9385611df83',
    minMemoryBytes: 2 * GIB,
    contextLength: 131_072,
    license: 'llama3.2',
  },
  {
    id: 'llama-3.2-3b-instruct',
    name: 'Llama 3.2 3B Instruct',
    description: 'A capable small chat model from Meta for machines with 8 GB of memory.',
    hfRef:
      'hf:bartowski/Llama-3.2-3B-Instruct-GGUF/Llama-3.2-3B-Instruct-Q4_K_M.gguf#c346bfc2029e79ba6d7edf026cf01fe44242db0d',
    sizeBytes: 2_020_000_000,
    sha256: '6c1a2b41161032677be168d354123594c0e6e67d2b9227c84f296ad037c728ff',
    minMemoryBytes: 4 * GIB,
    contextLength: 131_072,
    license: 'llama3.2',
  },
  {
    id: 'qwen3-4b-instruct-2507',
    name: 'Qwen3 4B Instruct 2507',
    description:
      "Alibaba's strong 4B model (July 2025 update, no thinking mode); multilingual and good at reasoning.",
    hfRef: 'hf:unsloth/Qwen3-4B-Instruct-2507-GGUF/Qwen3-4B-Instruct-2507-Q4_K_M.gguf',
    sizeBytes: 2_500_000_000,
    minMemoryBytes: 4 * GIB,
    contextLength: 262_144,
    license: 'apache-2.0',
  },
  {
    id: 'gemma-3-4b-it',
    name: 'Gemma 3 4B Instruct',
    description: "Google's 4B model with broad language coverage (140+ languages); text chat only in Veil.",
    hfRef: 'hf:ggml-org/gemma-3-4b-it-GGUF/gemma-3-4b-it-Q4_K_M.gguf',
    sizeBytes: 2_490_000_000,
    minMemoryBytes: 4 * GIB,
    contextLength: 131_072,
    license: 'gemma',
  },
  {
    id: 'mistral-7b-instruct-v0.3',
    name: 'Mistral 7B Instruct v0.3',
    description: 'A dependable 7B general-purpose assistant from Mistral AI, Apache-licensed.',
    hfRef:
      'hf:mmnga/Mistral-7B-Instruct-v0.3-gguf/Mistral-7B-Instruct-v0.3-Q4_K_M.gguf#b4b0cec23489e5e991f78661b82e4b05142d7690',
    sizeBytes: 4_370_000_000,
    sha256: '93351417bf01a3e4841101cb99d4f70734212dc877fbc58b5429b3c63b2e6a69',
    minMemoryBytes: 6 * GIB,
    contextLength: 32_768,
    license: 'apache-2.0',
  },
  {
    id: 'qwen2.5-7b-instruct',
    name: 'Qwen2.5 7B Instruct',
    description: 'A well-rounded 7B model, strong at writing, coding and structured answers.',
    hfRef: 'hf:lmstudio-community/Qwen2.5-7B-Instruct-GGUF/Qwen2.5-7B-Instruct-Q4_K_M.gguf',
    sizeBytes: 4_680_000_000,
    minMemoryBytes: 6 * GIB,
    contextLength: 32_768,
    license: 'apache-2.0',
  },
  {
    id: 'llama-3.1-8b-instruct',
    name: 'Llama 3.1 8B Instruct',
    description: "Meta's popular 8B chat model with a long context window; needs about 8 GB of free memory.",
    hfRef: 'hf:bartowski/Meta-Llama-3.1-8B-Instruct-GGUF/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf',
    sizeBytes: 4_920_000_000,
    minMemoryBytes: 7 * GIB,
    contextLength: 131_072,
    license: 'llama3.1',
  },
  {
    id: 'qwen3-8b',
    name: 'Qwen3 8B',
    description: "Qwen's 8B model with switchable thinking mode, from Qwen's official GGUF repository.",
    hfRef: 'hf:Qwen/Qwen3-8B-GGUF/Qwen3-8B-Q4_K_M.gguf',
    sizeBytes: 5_030_000_000,
    minMemoryBytes: 7 * GIB,
    contextLength: 40_960,
    license: 'apache-2.0',
  },
]);

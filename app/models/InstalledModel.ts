import path from 'node:path';
import { z } from 'zod';

/** Length of a sha256 digest written as lowercase hex. */
export const SHA256_HEX_LENGTH = 64;

/** A lowercase hex sha256 digest. */
export const sha256HexSchema = z
  .string()
  .length(SHA256_HEX_LENGTH)
  .regex(/^[0-9a-f]+$/, 'must be lowercase hex');

/** How a model entered the library. */
export const modelSourceKindSchema = z.enum(['import-copy', 'import-reference', 'download']);
export type ModelSourceKind = z.infer<typeof modelSourceKindSchema>;

/** Where a model came from. */
export const modelSourceSchema = z.object({
  kind: modelSourceKindSchema,
  /** The URL the file was downloaded from (downloads only). */
  url: z.string().optional(),
  /** The reference the user gave (`hf:…` or a URL), when it differs from `url`. */
  reference: z.string().optional(),
});
export type ModelSource = z.infer<typeof modelSourceSchema>;

/**
 * One model as stored in the manifest. `path` is relative to the models directory for files the library owns
 * (copies and downloads) and absolute for referenced files, so moving the data directory keeps owned models working.
 */
export const modelRecordSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be letters, digits and dashes'),
    name: z.string().min(1),
    fileName: z
      .string()
      .min(1)
      .refine(
        (fileName) => !/[\\/]/.test(fileName) && fileName !== '..' && fileName !== '.',
        'must be a plain file name',
      ),
    path: z.string().min(1),
    source: modelSourceSchema,
    sizeBytes: z.number().int().nonnegative(),
    /** Modification time when the entry was added; a referenced file whose size or mtime changed is reported as `changed`. */
    mtimeMs: z.number().nonnegative(),
    sha256: sha256HexSchema,
    /** True when the sha256 matched a hash known in advance: the caller's, the catalog's, or the one the hub publishes. */
    verified: z.boolean(),
    architecture: z.string().min(1),
    parameterCount: z.number().nonnegative(),
    quantization: z.string(),
    contextLength: z.number().int().nonnegative(),
    addedAt: z.iso.datetime(),
  })
  // The path decides what `remove` deletes, so a hand-edited manifest must not point an owned model outside the
  // models directory: owned files live exactly at `<id>/<fileName>`, referenced files are absolute.
  .refine(
    (record) =>
      record.source.kind === 'import-reference'
        ? path.isAbsolute(record.path)
        : record.path === ownedModelRelativePath(record.id, record.fileName),
    {
      message: 'path must be absolute for a referenced model and "<id>/<fileName>" for an owned one',
      path: ['path'],
    },
  );
export type ModelRecord = z.infer<typeof modelRecordSchema>;

/** Where the library keeps a model file it owns, relative to the models directory (always `/`-separated). */
export function ownedModelRelativePath(id: string, fileName: string): string {
  return `${id}/${fileName}`;
}

/** The manifest format version this code reads and writes. */
export const MODEL_MANIFEST_VERSION = 1;

/** The whole manifest file. */
export const modelManifestSchema = z.object({
  version: z.literal(MODEL_MANIFEST_VERSION),
  models: z.array(modelRecordSchema),
});
export type ModelManifestData = z.infer<typeof modelManifestSchema>;

/**
 * Whether the model's file can be used right now: `ready`, `missing` (the file is gone) or `changed` (a referenced
 * file's size or modification time differs from when it was added, so its metadata and hash may be stale).
 */
export type InstalledModelStatus = 'ready' | 'missing' | 'changed';

/** A model as the library reports it: the manifest entry with an absolute path and its current status. */
export interface InstalledModel extends Omit<ModelRecord, 'path'> {
  /** Absolute path of the GGUF file. */
  readonly path: string;
  readonly status: InstalledModelStatus;
}

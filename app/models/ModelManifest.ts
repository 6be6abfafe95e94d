import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { MODEL_MANIFEST_VERSION, modelManifestSchema, type ModelManifestData } from './InstalledModel';
import { isErrnoException } from '../util/isErrnoException';
import { ModelManifestError } from './modelLibraryErrors';
import { writeFileAtomic } from '../util/writeFileAtomic';

/** Indentation of the manifest JSON, so a person can read and repair it. */
const MANIFEST_JSON_INDENT = 2;

/**
 * The library's manifest file. Reads validate every entry; a file that fails validation raises
 * `ModelManifestError` and is never overwritten, because it may hold the only record of referenced models.
 */
export class ModelManifest {
  public constructor(
    /** Absolute path of the manifest file (`<modelsDir>/models.json`). */
    public readonly filePath: string,
  ) {}

  /** The manifest's content; an absent file is an empty library. */
  public async read(): Promise<ModelManifestData> {
    let text: string;
    try {
      text = await fs.readFile(this.filePath, 'utf8');
    } catch (error) {
      if (isErrnoException(error) && error.code === 'ENOENT')
        return { version: MODEL_MANIFEST_VERSION, models: [] };
      throw new ModelManifestError(`readManifest: cannot read ${this.filePath}`, { cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ModelManifestError(
        `readManifest: ${this.filePath} is not valid JSON; it was left untouched. Repair it, or move it aside to start an empty library.`,
        { cause: error },
      );
    }
    const version = z.object({ version: z.number() }).safeParse(json);
    if (version.success && version.data.version > MODEL_MANIFEST_VERSION) {
      throw new ModelManifestError(
        `readManifest: ${this.filePath} has format version ${version.data.version}, written by a newer Veil (this one reads version ${MODEL_MANIFEST_VERSION}); it was left untouched.`,
      );
    }
    const parsed = modelManifestSchema.safeParse(json);
    if (!parsed.success) {
      throw new ModelManifestError(
        `readManifest: ${this.filePath} does not match the manifest format (${z.prettifyError(parsed.error).replaceAll('\n', ' ')}); it was left untouched. Repair it, or move it aside to start an empty library.`,
        { cause: parsed.error },
      );
    }
    const names = new Set<string>();
    for (const model of parsed.data.models) {
      if (names.has(model.name)) {
        throw new ModelManifestError(
          `readManifest: ${this.filePath} lists the name "${model.name}" twice; it was left untouched.`,
        );
      }
      names.add(model.name);
    }
    return parsed.data;
  }

  /** Atomically replaces the manifest with `data`. */
  public async write(data: ModelManifestData): Promise<void> {
    await fs.mkdir(path.dirname(this.filePath), { recursive: true });
    await writeFileAtomic(this.filePath, `${JSON.stringify(data, null, MANIFEST_JSON_INDENT)}\n`);
  }
}

import { createHash, randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { missingCaseError } from '../errors/missingCaseError';
import { toErrorMessage } from '../errors/toErrorMessage';
import { readGgufMetadata } from '../gguf/readGgufMetadata';
import { sha256File } from '../gguf/sha256File';
import { AsyncMutex } from '../util/AsyncMutex';
import { MODEL_CATALOG, type CatalogModel } from './catalog';
import { copyFileWithSha256 } from './copyFileWithSha256';
import {
  describeUrl,
  discardPartFile,
  downloadToPartFile,
  readPartialDownload,
  type ModelDownloadProgress,
  type PartialDownload,
} from './downloadToPartFile';
import { fetchHuggingFaceFileSha256 } from './fetchHuggingFaceFileSha256';
import {
  ownedModelRelativePath,
  sha256HexSchema,
  type InstalledModel,
  type InstalledModelStatus,
  type ModelRecord,
  type ModelSource,
} from './InstalledModel';
import { isErrnoException } from '../util/isErrnoException';
import { ModelManifest } from './ModelManifest';
import type { EstimateModelFit, EstimateModelFitOptions, ModelFitEstimate } from './ModelFitEstimate';
import {
  ChecksumMismatchError,
  DownloadInProgressError,
  DuplicateModelNameError,
  FitEstimatorUnavailableError,
  InvalidModelFileError,
  InvalidModelOptionsError,
  ModelLibraryDisposedError,
  ModelNotFoundError,
  ModelUnavailableError,
} from './modelLibraryErrors';
import { moveFile } from './moveFile';
import {
  isHuggingFaceUrl,
  resolveHuggingFaceEndpoint,
  resolveModelSource,
  type ResolvedModelSource,
} from './resolveModelSource';
import { fsyncDirectory } from '../util/writeFileAtomic';

/** The manifest's file name inside the models directory. */
export const MODEL_MANIFEST_FILE_NAME = 'models.json';

/** Folder of partial downloads inside the cache directory. */
const DOWNLOADS_DIR_NAME = 'downloads';

/** The ids `randomUUID` makes, which name the folders of owned models. */
const MODEL_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Temp files `writeFileAtomic` leaves next to the manifest if the process dies mid-write. */
const MANIFEST_TEMP_FILE_PATTERN = /^\.models\.json\.[0-9a-f]+\.tmp$/;

/** Longest accepted model name, in characters. */
const MAX_MODEL_NAME_LENGTH = 100;

/** Hex characters of the URL hash that names a download's part file. */
const DOWNLOAD_KEY_HEX_LENGTH = 32;

/** Dependencies and configuration of a `ModelLibrary`. */
export interface ModelLibraryOptions {
  /** Directory holding owned model files (`<id>/<file>.gguf`) and the manifest `models.json`. */
  readonly modelsDir: string;
  /** Directory for disposable data; partial downloads go to `<cacheDir>/downloads`. */
  readonly cacheDir: string;
  /** Estimates whether a model fits on this machine (the engine provides it). Defaults to none: `estimateFit` throws. */
  readonly estimateFit?: EstimateModelFit;
  /** Used for downloads and hub API calls. Defaults to the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Clock in milliseconds since the epoch, for `addedAt` and download speed. Defaults to `Date.now`. */
  readonly now?: () => number;
  /** Base URL of the Hugging Face hub. Defaults to `HF_ENDPOINT` from `env`, else `https://huggingface.co`. */
  readonly huggingFaceEndpoint?: string;
  /** Access token for gated Hugging Face models, sent only to the hub. Defaults to `HF_TOKEN` from `env`. */
  readonly huggingFaceToken?: string;
  /** Environment read for `HF_ENDPOINT` and `HF_TOKEN`. Defaults to `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Options of `ModelLibrary.importFile`. */
export interface ImportModelOptions {
  /** `copy` puts a copy under the models directory; `reference` records the file where it is (no extra disk space). */
  readonly mode: 'copy' | 'reference';
  /** Unique name in the library. Defaults to the file name without `.gguf`. */
  readonly name?: string;
  /** Cancels a copy in progress. Defaults to none. */
  readonly signal?: AbortSignal;
}

/** Options of `ModelLibrary.download`. */
export interface DownloadModelOptions {
  /**
   * The file's known sha256 (hex); a mismatch deletes the file. Defaults to the hash the Hugging Face hub publishes for
   * hub files, else none: the computed hash is recorded with `verified: false`.
   */
  readonly sha256?: string;
  /** Unique name in the library. Defaults to the file name without `.gguf`. */
  readonly name?: string;
  /** Cancels the download; the partial file is kept for the next attempt. Defaults to none. */
  readonly signal?: AbortSignal;
  /** Receives progress at most 10 times a second, and once at the end. Defaults to none. */
  readonly onProgress?: (progress: ModelDownloadProgress) => void;
}

/** What the GGUF header says, as far as the library records it. */
interface ModelFileFacts {
  readonly architecture: string;
  readonly parameterCount: number;
  readonly quantization: string;
  readonly contextLength: number;
}

/**
 * The installed GGUF models: imports (copied or referenced in place), downloads with resume and hash verification,
 * and the manifest that lists them. A model appears in `list()` only once its file is complete, validated as a GGUF
 * and in its final place; partial downloads and half-copied imports never show up.
 */
export class ModelLibrary {
  private readonly manifest: ModelManifest;
  private readonly mutex = new AsyncMutex();
  /** Names taken by imports and downloads in progress, so two of them cannot both claim one name. */
  private readonly reservedNames = new Set<string>();
  /** Ids of models being imported or installed, whose folders exist before their manifest entry does. */
  private readonly pendingIds = new Set<string>();
  /** Part-file keys of downloads in progress in this process. */
  private readonly activeDownloads = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly disposeController = new AbortController();
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;
  private readonly huggingFaceEndpoint: string;
  private readonly huggingFaceToken: string | undefined;
  private disposed = false;

  public constructor(private readonly options: ModelLibraryOptions) {
    const env = options.env ?? process.env;
    this.manifest = new ModelManifest(path.join(options.modelsDir, MODEL_MANIFEST_FILE_NAME));
    this.fetchFn = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
    this.huggingFaceEndpoint = resolveHuggingFaceEndpoint(options.huggingFaceEndpoint, env);
    const token = options.huggingFaceToken ?? env.HF_TOKEN;
    this.huggingFaceToken = token === undefined || token === '' ? undefined : token;
  }

  /** Path of the manifest file. */
  public get manifestPath(): string {
    return this.manifest.filePath;
  }

  /** Every installed model with its current status. A referenced file that vanished or changed is listed, not thrown. */
  public async list(): Promise<InstalledModel[]> {
    return this.track(async () => {
      const data = await this.manifest.read();
      return Promise.all(data.models.map(async (record) => this.toInstalledModel(record)));
    });
  }

  /** The model with this name or id; throws `ModelNotFoundError`. */
  public async get(nameOrId: string): Promise<InstalledModel> {
    const models = await this.list();
    const model = models.find((candidate) => candidate.name === nameOrId || candidate.id === nameOrId);
    if (model === undefined) {
      throw new ModelNotFoundError(
        `getModel: no installed model is named "${nameOrId}"${models.length > 0 ? ` (installed: ${models.map((m) => m.name).join(', ')})` : ''}.`,
      );
    }
    return model;
  }

  /**
   * Adds a GGUF file from this computer. The header is validated first (`InvalidGgufError`,
   * `UnsupportedArchitectureError` from the reader), so a rejected file never reaches the manifest. A copy is written
   * under a temporary name and renamed when complete.
   */
  public async importFile(filePath: string, options: ImportModelOptions): Promise<InstalledModel> {
    return this.track(async () => {
      const sourcePath = path.resolve(filePath);
      const sourceStats = await statOrNull(sourcePath);
      if (sourceStats === null || !sourceStats.isFile()) {
        throw new InvalidModelFileError(`importModel: ${sourcePath} is not a file.`);
      }
      const facts = await readModelFacts(sourcePath);
      const fileName = path.basename(sourcePath);
      const name = validateName(options.name ?? defaultModelName(fileName), 'importModel');
      return this.withReservedName(name, 'importModel', async () => {
        const id = this.claimModelId();
        try {
          switch (options.mode) {
            case 'copy':
              return await this.importCopy(sourcePath, { id, name, fileName, facts, signal: options.signal });
            case 'reference':
              return await this.importReference(sourcePath, { id, name, fileName, facts });
            default:
              throw missingCaseError(options.mode);
          }
        } finally {
          this.pendingIds.delete(id);
        }
      });
    });
  }

  /**
   * Removes a model from the library. Files the library owns (copies, downloads) are deleted; a referenced file is
   * left where it is and only forgotten. The manifest is written first, so a crash never lists a deleted file.
   */
  public async remove(nameOrId: string): Promise<InstalledModel> {
    return this.track(async () => {
      const removed = await this.mutex.runExclusive(async () => {
        const data = await this.manifest.read();
        const record = data.models.find(
          (candidate) => candidate.name === nameOrId || candidate.id === nameOrId,
        );
        if (record === undefined) {
          throw new ModelNotFoundError(`removeModel: no installed model is named "${nameOrId}".`);
        }
        const installed = await this.toInstalledModel(record);
        await this.manifest.write({
          ...data,
          models: data.models.filter((candidate) => candidate !== record),
        });
        return installed;
      });
      if (removed.source.kind !== 'import-reference') {
        await fs.rm(path.join(this.options.modelsDir, removed.id), { recursive: true, force: true });
      }
      return removed;
    });
  }

  /** Turns a download source (URL or `hf:` reference) into the URL to fetch and the file name to store. */
  public async resolveSource(source: string, signal?: AbortSignal): Promise<ResolvedModelSource> {
    this.assertUsable('resolveModelSource');
    return resolveModelSource(source, {
      huggingFaceEndpoint: this.huggingFaceEndpoint,
      fetch: this.fetchFn,
      headers: this.authorizationHeaders(this.huggingFaceEndpoint),
      ...(signal === undefined ? {} : { signal }),
    });
  }

  /**
   * Downloads a model from a URL or Hugging Face reference and installs it once complete, hash-checked and validated
   * as a GGUF. An interrupted or cancelled download keeps its partial file outside the library
   * (`DownloadInterruptedError`, `DownloadAbortedError`), and the next `download` of the same source resumes it. A
   * wrong hash (`ChecksumMismatchError`) or a non-GGUF body (`InvalidModelFileError`) deletes the file.
   */
  public async download(source: string, options: DownloadModelOptions = {}): Promise<InstalledModel> {
    return this.track(async () => {
      this.assertUsable('downloadModel');
      const expectedSha256 = options.sha256 === undefined ? undefined : validateSha256(options.sha256);
      const signal =
        options.signal === undefined
          ? this.disposeController.signal
          : AbortSignal.any([this.disposeController.signal, options.signal]);
      const resolved = await this.resolveSource(source, signal);
      const name = validateName(options.name ?? defaultModelName(resolved.fileName), 'downloadModel');
      return this.withReservedName(name, 'downloadModel', async () => {
        const key = downloadKey(resolved.url);
        if (this.activeDownloads.has(key)) {
          throw new DownloadInProgressError(`downloadModel: ${source} is already being downloaded.`);
        }
        this.activeDownloads.add(key);
        try {
          return await this.downloadAndInstall(
            resolved,
            key,
            name,
            expectedSha256,
            signal,
            options.onProgress,
          );
        } finally {
          this.activeDownloads.delete(key);
        }
      });
    });
  }

  /** Downloads a catalog model under its catalog id, verifying the catalog's sha256 when it has one. */
  public async downloadCatalogModel(
    catalogId: string,
    options: Omit<DownloadModelOptions, 'sha256'> = {},
  ): Promise<InstalledModel> {
    const entry = MODEL_CATALOG.find((candidate) => candidate.id === catalogId);
    if (entry === undefined) {
      throw new ModelNotFoundError(`downloadModel: the catalog has no model "${catalogId}".`);
    }
    return this.download(entry.hfRef, {
      ...options,
      name: options.name ?? entry.id,
      ...(entry.sha256 === undefined ? {} : { sha256: entry.sha256 }),
    });
  }

  /** Downloads that stopped before the end (interrupted, cancelled, app closed) and resume on the next `download`. */
  public async listPartialDownloads(): Promise<PartialDownload[]> {
    return this.track(async () => {
      const downloadsDir = path.join(this.options.cacheDir, DOWNLOADS_DIR_NAME);
      let entries: string[];
      try {
        entries = await fs.readdir(downloadsDir);
      } catch (error) {
        if (isErrnoException(error) && error.code === 'ENOENT') return [];
        throw error;
      }
      const keys = entries
        .filter((entry) => entry.endsWith('.part'))
        .map((entry) => entry.slice(0, -'.part'.length));
      const partials = await Promise.all(
        keys.map(async (key) => {
          const { partPath, sidecarPath } = this.partFilePaths(key);
          return readPartialDownload(partPath, sidecarPath);
        }),
      );
      return partials.filter((partial) => partial !== undefined);
    });
  }

  /** Deletes the kept partial file of a source, so its next download starts from zero. */
  public async discardPartialDownload(source: string): Promise<void> {
    return this.track(async () => {
      const key = downloadKey((await this.resolveSource(source)).url);
      if (this.activeDownloads.has(key)) {
        throw new DownloadInProgressError(
          `discardPartialDownload: ${source} is being downloaded; cancel it first.`,
        );
      }
      const { partPath, sidecarPath } = this.partFilePaths(key);
      await discardPartFile(partPath, sidecarPath);
    });
  }

  /**
   * Deletes what an interrupted import or install left in the models directory: model folders the manifest does not
   * list (a half-copied import, a download moved in just before a crash) and stale manifest temp files. Only names the
   * library itself creates are touched. Returns the removed paths.
   */
  public async removeLeftovers(): Promise<string[]> {
    return this.track(async () =>
      this.mutex.runExclusive(async () => {
        const data = await this.manifest.read();
        const listed = new Set(data.models.map((model) => model.id));
        let entries: string[];
        try {
          entries = await fs.readdir(this.options.modelsDir);
        } catch (error) {
          if (isErrnoException(error) && error.code === 'ENOENT') return [];
          throw error;
        }
        const leftovers = entries.filter(
          (entry) =>
            (MODEL_ID_PATTERN.test(entry) && !listed.has(entry) && !this.pendingIds.has(entry)) ||
            MANIFEST_TEMP_FILE_PATTERN.test(entry),
        );
        const removed = leftovers.map((entry) => path.join(this.options.modelsDir, entry));
        await Promise.all(removed.map(async (leftover) => fs.rm(leftover, { recursive: true, force: true })));
        return removed;
      }),
    );
  }

  /** The curated list of recommended models the UI can offer for download. */
  public catalog(): readonly CatalogModel[] {
    return MODEL_CATALOG;
  }

  /** Whether the model fits on this machine at `contextSize`, as estimated by the engine given at construction. */
  public async estimateFit(nameOrId: string, options: EstimateModelFitOptions): Promise<ModelFitEstimate> {
    const estimate = this.options.estimateFit;
    if (estimate === undefined) {
      throw new FitEstimatorUnavailableError(
        'estimateFit: this model library was created without an estimateFit dependency (the engine provides it).',
      );
    }
    const model = await this.get(nameOrId);
    if (model.status !== 'ready') {
      throw new ModelUnavailableError(
        `estimateFit: the file of "${model.name}" is ${model.status} (${model.path}).`,
      );
    }
    return estimate(model.path, options);
  }

  /**
   * Cancels running downloads (their partial files are kept) and waits for every operation in progress to settle.
   * Later calls throw `ModelLibraryDisposedError`. Idempotent.
   */
  public async dispose(): Promise<void> {
    if (!this.disposed) {
      this.disposed = true;
      this.disposeController.abort();
    }
    await Promise.allSettled([...this.inFlight]);
  }

  private async importCopy(
    sourcePath: string,
    entry: {
      id: string;
      name: string;
      fileName: string;
      facts: ModelFileFacts;
      signal: AbortSignal | undefined;
    },
  ): Promise<InstalledModel> {
    const relativePath = ownedModelRelativePath(entry.id, entry.fileName);
    const modelDir = path.join(this.options.modelsDir, entry.id);
    const finalPath = path.join(this.options.modelsDir, relativePath);
    const tempPath = `${finalPath}.importing`;
    try {
      await fs.mkdir(modelDir, { recursive: true });
      const copied = await copyFileWithSha256(sourcePath, tempPath, entry.signal);
      await fs.rename(tempPath, finalPath);
      await fsyncDirectory(modelDir);
      const stats = await fs.stat(finalPath);
      return await this.commit(
        {
          id: entry.id,
          name: entry.name,
          fileName: entry.fileName,
          path: relativePath,
          source: { kind: 'import-copy' },
          sizeBytes: copied.sizeBytes,
          mtimeMs: stats.mtimeMs,
          sha256: copied.sha256,
          verified: false,
          ...entry.facts,
          addedAt: new Date(this.now()).toISOString(),
        },
        'importModel',
      );
    } catch (error) {
      await fs.rm(modelDir, { recursive: true, force: true });
      throw error;
    }
  }

  private async importReference(
    sourcePath: string,
    entry: { id: string; name: string; fileName: string; facts: ModelFileFacts },
  ): Promise<InstalledModel> {
    const before = await fs.stat(sourcePath);
    const sha256 = await sha256File(sourcePath);
    const after = await fs.stat(sourcePath);
    if (before.size !== after.size || before.mtimeMs !== after.mtimeMs) {
      throw new InvalidModelFileError(
        `importModel: ${sourcePath} changed while it was being hashed; try again.`,
      );
    }
    return this.commit(
      {
        id: entry.id,
        name: entry.name,
        fileName: entry.fileName,
        path: sourcePath,
        source: { kind: 'import-reference' },
        sizeBytes: after.size,
        mtimeMs: after.mtimeMs,
        sha256,
        verified: false,
        ...entry.facts,
        addedAt: new Date(this.now()).toISOString(),
      },
      'importModel',
    );
  }

  private async downloadAndInstall(
    resolved: ResolvedModelSource,
    key: string,
    name: string,
    expectedSha256: string | undefined,
    signal: AbortSignal,
    onProgress: ((progress: ModelDownloadProgress) => void) | undefined,
  ): Promise<InstalledModel> {
    const { partPath, sidecarPath } = this.partFilePaths(key);
    await fs.mkdir(path.dirname(partPath), { recursive: true });
    // Without a hash from the caller, the hub's published LFS hash still catches a corrupted or mixed-up file.
    const hubSha256 =
      expectedSha256 === undefined && resolved.huggingFace !== undefined
        ? await fetchHuggingFaceFileSha256(resolved.url, {
            fetch: this.fetchFn,
            headers: this.authorizationHeaders(resolved.url),
            signal,
          })
        : undefined;
    const expected = expectedSha256 ?? hubSha256;
    const downloaded = await downloadToPartFile({
      url: resolved.url,
      partPath,
      sidecarPath,
      ...(expected === undefined ? {} : { expectedSha256: expected }),
      headers: this.authorizationHeaders(resolved.url),
      signal,
      ...(onProgress === undefined ? {} : { onProgress }),
      fetch: this.fetchFn,
      now: this.now,
    });
    const where = describeSource(resolved);
    if (expected !== undefined && downloaded.sha256 !== expected) {
      await discardPartFile(partPath, sidecarPath);
      const whose = expectedSha256 === undefined ? 'the hub publishes' : 'was expected';
      throw new ChecksumMismatchError(
        `downloadModel: ${where} has sha256 ${downloaded.sha256}, but ${expected} ${whose}; the downloaded file was deleted.`,
        expected,
        downloaded.sha256,
      );
    }
    let facts: ModelFileFacts;
    try {
      facts = await readModelFacts(partPath);
    } catch (error) {
      await discardPartFile(partPath, sidecarPath);
      throw new InvalidModelFileError(
        `downloadModel: ${where} is not a usable GGUF model (${toErrorMessage(error)}); the downloaded file was deleted.`,
        { cause: error },
      );
    }

    const id = this.claimModelId();
    const relativePath = ownedModelRelativePath(id, resolved.fileName);
    const modelDir = path.join(this.options.modelsDir, id);
    const finalPath = path.join(this.options.modelsDir, relativePath);
    const source: ModelSource = {
      kind: 'download',
      url: resolved.url,
      ...(resolved.reference === resolved.url ? {} : { reference: resolved.reference }),
    };
    try {
      await fs.mkdir(modelDir, { recursive: true });
      await moveFile(partPath, finalPath);
      const stats = await fs.stat(finalPath);
      const installed = await this.commit(
        {
          id,
          name,
          fileName: resolved.fileName,
          path: relativePath,
          source,
          sizeBytes: downloaded.sizeBytes,
          mtimeMs: stats.mtimeMs,
          sha256: downloaded.sha256,
          verified: expected !== undefined,
          ...facts,
          addedAt: new Date(this.now()).toISOString(),
        },
        'downloadModel',
      );
      await fs.rm(sidecarPath, { force: true });
      return installed;
    } catch (error) {
      await fs.rm(modelDir, { recursive: true, force: true });
      await discardPartFile(partPath, sidecarPath);
      throw error;
    } finally {
      this.pendingIds.delete(id);
    }
  }

  /** A fresh model id, marked pending so `removeLeftovers` leaves its folder alone until the caller releases it. */
  private claimModelId(): string {
    const id = randomUUID();
    this.pendingIds.add(id);
    return id;
  }

  private partFilePaths(key: string): { partPath: string; sidecarPath: string } {
    const downloadsDir = path.join(this.options.cacheDir, DOWNLOADS_DIR_NAME);
    return {
      partPath: path.join(downloadsDir, `${key}.part`),
      sidecarPath: path.join(downloadsDir, `${key}.json`),
    };
  }

  /** Adds a record to the manifest under the mutex; the name was reserved by the caller. */
  private async commit(record: ModelRecord, operation: string): Promise<InstalledModel> {
    return this.mutex.runExclusive(async () => {
      const data = await this.manifest.read();
      if (data.models.some((candidate) => candidate.name === record.name)) {
        throw duplicateNameError(record.name, operation);
      }
      await this.manifest.write({ ...data, models: [...data.models, record] });
      return this.toInstalledModel(record);
    });
  }

  /** Runs `task` while `name` is reserved; fails fast if the name is installed or reserved already. */
  private async withReservedName<T>(name: string, operation: string, task: () => Promise<T>): Promise<T> {
    if (this.reservedNames.has(name)) throw duplicateNameError(name, operation);
    const data = await this.manifest.read();
    if (data.models.some((candidate) => candidate.name === name) || this.reservedNames.has(name)) {
      throw duplicateNameError(name, operation);
    }
    this.reservedNames.add(name);
    try {
      return await task();
    } finally {
      this.reservedNames.delete(name);
    }
  }

  private async toInstalledModel(record: ModelRecord): Promise<InstalledModel> {
    const absolutePath =
      record.source.kind === 'import-reference'
        ? record.path
        : path.join(this.options.modelsDir, record.path);
    const stats = await statOrNull(absolutePath);
    let status: InstalledModelStatus = 'ready';
    if (stats === null || !stats.isFile()) status = 'missing';
    else if (stats.size !== record.sizeBytes || stats.mtimeMs !== record.mtimeMs) status = 'changed';
    return { ...record, path: absolutePath, status };
  }

  /** `Authorization` for the hub only: a token must never travel to an arbitrary download host. */
  private authorizationHeaders(url: string): Record<string, string> {
    if (this.huggingFaceToken === undefined || !isHuggingFaceUrl(url, this.huggingFaceEndpoint)) return {};
    return { Authorization: `Bearer ${this.huggingFaceToken}` };
  }

  private assertUsable(operation: string): void {
    if (this.disposed) throw new ModelLibraryDisposedError(`${operation}: the model library was disposed.`);
  }

  /** Runs an operation so `dispose` can wait for it. */
  private async track<T>(task: () => Promise<T>): Promise<T> {
    this.assertUsable('modelLibrary');
    const promise = task();
    this.inFlight.add(promise);
    try {
      return await promise;
    } finally {
      this.inFlight.delete(promise);
    }
  }
}

/** Reads the header facts the library records; the reader's errors (`InvalidGgufError`, …) pass through. */
async function readModelFacts(filePath: string): Promise<ModelFileFacts> {
  const metadata = await readGgufMetadata(filePath);
  return {
    architecture: metadata.architecture,
    parameterCount: metadata.parameterCount,
    quantization: metadata.quantization,
    contextLength: metadata.contextLength,
  };
}

async function statOrNull(filePath: string): Promise<Stats | null> {
  try {
    return await fs.stat(filePath);
  } catch (error) {
    if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return null;
    throw error;
  }
}

/** `Qwen2.5-7B-Instruct-Q4_K_M.gguf` → `Qwen2.5-7B-Instruct-Q4_K_M`. */
function defaultModelName(fileName: string): string {
  return fileName.replace(/\.gguf$/i, '');
}

function validateName(name: string, operation: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > MAX_MODEL_NAME_LENGTH || hasControlCharacter(trimmed)) {
    throw new InvalidModelOptionsError(
      `${operation}: a model name must be 1 to ${MAX_MODEL_NAME_LENGTH} printable characters.`,
    );
  }
  return trimmed;
}

function hasControlCharacter(text: string): boolean {
  return Array.from(text).some((character) => {
    const code = character.charCodeAt(0);
    return code < 0x20 || code === 0x7f;
  });
}

function validateSha256(sha256: string): string {
  const parsed = sha256HexSchema.safeParse(sha256.trim().toLowerCase());
  if (!parsed.success) {
    throw new InvalidModelOptionsError(
      'downloadModel: the expected sha256 must be 64 hexadecimal characters.',
    );
  }
  return parsed.data;
}

function duplicateNameError(name: string, operation: string): DuplicateModelNameError {
  return new DuplicateModelNameError(
    `${operation}: a model named "${name}" is already installed (or being installed); choose another name.`,
  );
}

/** Names a download's part file after its URL, so the next download of the same source finds and resumes it. */
function downloadKey(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, DOWNLOAD_KEY_HEX_LENGTH);
}

function describeSource(resolved: ResolvedModelSource): string {
  const location = describeUrl(resolved.url);
  return resolved.reference === resolved.url
    ? `the file from ${location}`
    : `${resolved.reference} (${location})`;
}

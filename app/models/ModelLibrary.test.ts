import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidGgufError } from '../gguf/InvalidGgufError';
import { readGgufMetadata } from '../gguf/readGgufMetadata';
import { ensureTestModel, testModelParameterCount } from '../../test/fixtures/testModels';
import { MODEL_MANIFEST_VERSION } from './InstalledModel';
import { MODEL_MANIFEST_FILE_NAME, ModelLibrary } from './ModelLibrary';
import type { EstimateModelFitOptions } from './ModelFitEstimate';
import {
  DuplicateModelNameError,
  FitEstimatorUnavailableError,
  InvalidModelFileError,
  InvalidModelOptionsError,
  ModelLibraryDisposedError,
  ModelManifestError,
  ModelNotFoundError,
  ModelUnavailableError,
} from './modelLibraryErrors';

let tinyModelPath: string;
let tinyModelBytes: Buffer;
let tinyModelSha256: string;

/** Generating the model and loading llama.cpp's addon for the first header read take seconds on a busy machine. */
const SETUP_TIMEOUT_MS = 120_000;

beforeAll(async () => {
  tinyModelPath = await ensureTestModel('tiny');
  tinyModelBytes = await fs.readFile(tinyModelPath);
  tinyModelSha256 = createHash('sha256').update(tinyModelBytes).digest('hex');
  await readGgufMetadata(tinyModelPath);
}, SETUP_TIMEOUT_MS);

let workDir: string;
let modelsDir: string;
let cacheDir: string;
let libraries: ModelLibrary[];

beforeEach(async () => {
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'veil-models-'));
  modelsDir = path.join(workDir, 'models');
  cacheDir = path.join(workDir, 'cache');
  libraries = [];
});

afterEach(async () => {
  await Promise.all(libraries.map(async (library) => library.dispose()));
  await fs.rm(workDir, { recursive: true, force: true });
});

function createLibrary(options: Partial<ConstructorParameters<typeof ModelLibrary>[0]> = {}): ModelLibrary {
  const library = new ModelLibrary({ modelsDir, cacheDir, env: {}, ...options });
  libraries.push(library);
  return library;
}

/** A private copy of the tiny model, so a test may change or delete it. */
async function copyOfTinyModel(fileName = 'tiny.gguf'): Promise<string> {
  const filePath = path.join(workDir, fileName);
  await fs.writeFile(filePath, tinyModelBytes);
  return filePath;
}

/** Hash comparison instead of `toEqual` on megabyte buffers, which vitest compares byte by byte for seconds. */
async function sha256Of(filePath: string): Promise<string> {
  return createHash('sha256')
    .update(await fs.readFile(filePath))
    .digest('hex');
}

/** Entries of the models directory other than the manifest: model folders and leftovers. */
async function modelDirEntries(): Promise<string[]> {
  try {
    return (await fs.readdir(modelsDir)).filter((entry) => entry !== MODEL_MANIFEST_FILE_NAME);
  } catch {
    return [];
  }
}

describe('ModelLibrary imports', () => {
  it('copies a GGUF into the library and lists it with metadata from its header', async () => {
    const library = createLibrary({ now: () => Date.parse('2026-01-02T03:04:05.000Z') });
    const source = await copyOfTinyModel();

    const installed = await library.importFile(source, { mode: 'copy' });

    expect(installed).toMatchObject({
      name: 'tiny',
      fileName: 'tiny.gguf',
      source: { kind: 'import-copy' },
      sizeBytes: tinyModelBytes.byteLength,
      sha256: tinyModelSha256,
      verified: false,
      architecture: 'llama',
      parameterCount: testModelParameterCount('tiny'),
      quantization: 'F32',
      contextLength: 2048,
      addedAt: '2026-01-02T03:04:05.000Z',
      status: 'ready',
    });
    expect(installed.path.startsWith(modelsDir + path.sep)).toBe(true);
    expect(
      createHash('sha256')
        .update(await fs.readFile(installed.path))
        .digest('hex'),
    ).toBe(tinyModelSha256);
    expect(await library.list()).toEqual([installed]);
    // A second library on the same directory reads the same entry back from the manifest.
    expect(await createLibrary().list()).toEqual([installed]);
    expect(await sha256Of(source)).toBe(tinyModelSha256);
  });

  it('references a GGUF in place without copying it', async () => {
    const library = createLibrary();
    const source = await copyOfTinyModel();

    const installed = await library.importFile(source, { mode: 'reference', name: 'My tiny model' });

    expect(installed).toMatchObject({
      name: 'My tiny model',
      path: source,
      source: { kind: 'import-reference' },
      sha256: tinyModelSha256,
      sizeBytes: tinyModelBytes.byteLength,
      status: 'ready',
    });
    expect(await modelDirEntries()).toEqual([]);
  });

  it('finds a model by name or id and inspects it', async () => {
    const library = createLibrary();
    const installed = await library.importFile(await copyOfTinyModel(), { mode: 'copy', name: 'alpha' });

    expect(await library.get('alpha')).toEqual(installed);
    expect(await library.get(installed.id)).toEqual(installed);
    await expect(library.get('beta')).rejects.toThrow(ModelNotFoundError);
    await expect(library.get('beta')).rejects.toThrow(
      /getModel: no installed model is named "beta" \(installed: alpha\)/,
    );
  });

  it('removes a copied model with its file, and only forgets a referenced one', async () => {
    const library = createLibrary();
    const source = await copyOfTinyModel();
    const copied = await library.importFile(source, { mode: 'copy', name: 'copied' });
    const referenced = await library.importFile(source, { mode: 'reference', name: 'referenced' });

    const removedCopy = await library.remove('copied');
    expect(removedCopy.id).toBe(copied.id);
    await expect(fs.stat(copied.path)).rejects.toThrow(/ENOENT/);
    expect(await modelDirEntries()).toEqual([]);

    await library.remove(referenced.id);
    expect(await sha256Of(source)).toBe(tinyModelSha256);
    expect(await library.list()).toEqual([]);
    await expect(library.remove('copied')).rejects.toThrow(ModelNotFoundError);
  });

  it('refuses a second model with the same name, also when two imports race', async () => {
    const library = createLibrary();
    const source = await copyOfTinyModel();
    await library.importFile(source, { mode: 'reference', name: 'same' });

    await expect(library.importFile(source, { mode: 'copy', name: 'same' })).rejects.toThrow(
      DuplicateModelNameError,
    );

    const results = await Promise.allSettled([
      library.importFile(source, { mode: 'copy', name: 'raced' }),
      library.importFile(source, { mode: 'copy', name: 'raced' }),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((result) => result.status === 'rejected');
    expect(rejected?.status === 'rejected' && rejected.reason).toBeInstanceOf(DuplicateModelNameError);
    expect((await library.list()).map((model) => model.name).sort()).toEqual(['raced', 'same']);
    // The losing import left no copy behind.
    expect(await modelDirEntries()).toHaveLength(1);
  });

  it('keeps every entry when imports under different names run concurrently', async () => {
    const library = createLibrary();
    const source = await copyOfTinyModel();
    const names = ['one', 'two', 'three', 'four'];

    await Promise.all(names.map(async (name) => library.importFile(source, { mode: 'copy', name })));

    expect((await library.list()).map((model) => model.name).sort()).toEqual([...names].sort());
  });

  it('rejects malformed names', async () => {
    const library = createLibrary();
    const source = await copyOfTinyModel();
    await expect(library.importFile(source, { mode: 'copy', name: '   ' })).rejects.toThrow(
      InvalidModelOptionsError,
    );
    await expect(library.importFile(source, { mode: 'copy', name: 'a\nb' })).rejects.toThrow(
      InvalidModelOptionsError,
    );
    expect(await library.list()).toEqual([]);
  });

  it('rejects a file of random bytes before adding anything', async () => {
    const library = createLibrary();
    const junk = path.join(workDir, 'junk.gguf');
    await fs.writeFile(junk, randomBytes(4096));

    await expect(library.importFile(junk, { mode: 'copy' })).rejects.toThrow(InvalidGgufError);
    await expect(library.importFile(junk, { mode: 'reference' })).rejects.toThrow(InvalidGgufError);
    expect(await library.list()).toEqual([]);
    expect(await modelDirEntries()).toEqual([]);
  });

  it('rejects a truncated GGUF before adding anything', async () => {
    const library = createLibrary();
    const truncated = path.join(workDir, 'truncated.gguf');
    await fs.writeFile(truncated, tinyModelBytes.subarray(0, Math.floor(tinyModelBytes.byteLength * 0.75)));

    await expect(library.importFile(truncated, { mode: 'copy' })).rejects.toThrow(InvalidGgufError);
    expect(await library.list()).toEqual([]);
    expect(await modelDirEntries()).toEqual([]);
  });

  it('rejects a path that is not a file', async () => {
    const library = createLibrary();
    await expect(library.importFile(path.join(workDir, 'absent.gguf'), { mode: 'copy' })).rejects.toThrow(
      InvalidModelFileError,
    );
    await expect(library.importFile(workDir, { mode: 'reference' })).rejects.toThrow(InvalidModelFileError);
  });

  it('reports a referenced file that changed or vanished instead of failing the listing', async () => {
    const library = createLibrary();
    const changing = await copyOfTinyModel('changing.gguf');
    const vanishing = await copyOfTinyModel('vanishing.gguf');
    await library.importFile(changing, { mode: 'reference' });
    await library.importFile(vanishing, { mode: 'reference' });

    await fs.appendFile(changing, Buffer.from([0]));
    await fs.rm(vanishing);

    const statuses = Object.fromEntries((await library.list()).map((model) => [model.name, model.status]));
    expect(statuses).toEqual({ changing: 'changed', vanishing: 'missing' });
    // A missing reference can still be removed.
    await library.remove('vanishing');
    expect((await library.list()).map((model) => model.name)).toEqual(['changing']);
  });
});

describe('ModelLibrary manifest', () => {
  it('writes a versioned manifest with owned paths relative to the models directory', async () => {
    const library = createLibrary();
    const installed = await library.importFile(await copyOfTinyModel(), { mode: 'copy' });

    const manifest = JSON.parse(await fs.readFile(library.manifestPath, 'utf8')) as {
      version: number;
      models: { path: string }[];
    };
    expect(manifest.version).toBe(MODEL_MANIFEST_VERSION);
    expect(manifest.models.map((model) => model.path)).toEqual([`${installed.id}/tiny.gguf`]);
    // No temp files are left next to the manifest.
    expect((await fs.readdir(modelsDir)).filter((entry) => entry.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses to use an unparsable manifest and leaves it untouched', async () => {
    await fs.mkdir(modelsDir, { recursive: true });
    const manifestPath = path.join(modelsDir, MODEL_MANIFEST_FILE_NAME);
    const corrupt = '{"version": 1, "models": [';
    await fs.writeFile(manifestPath, corrupt);
    const library = createLibrary();

    await expect(library.list()).rejects.toThrow(ModelManifestError);
    await expect(library.list()).rejects.toThrow(manifestPath);
    await expect(library.importFile(await copyOfTinyModel(), { mode: 'copy' })).rejects.toThrow(
      ModelManifestError,
    );
    await expect(library.remove('anything')).rejects.toThrow(ModelManifestError);

    expect(await fs.readFile(manifestPath, 'utf8')).toBe(corrupt);
    expect(await modelDirEntries()).toEqual([]);
  });

  it('refuses a manifest whose entries do not match the schema', async () => {
    const library = createLibrary();
    const installed = await library.importFile(await copyOfTinyModel(), { mode: 'copy' });
    const manifest = JSON.parse(await fs.readFile(library.manifestPath, 'utf8')) as {
      models: Record<string, unknown>[];
    };
    const original = manifest.models[0];

    const tampered = [
      { ...original, sha256: 'not-a-hash' },
      // An owned model pointing outside the models directory would make `remove` delete a foreign file.
      { ...original, path: '../../outside.gguf' },
      { ...original, id: '../escape' },
    ];
    for (const entry of tampered) {
      const text = JSON.stringify({ version: MODEL_MANIFEST_VERSION, models: [entry] });
      await fs.writeFile(library.manifestPath, text);
      await expect(library.list()).rejects.toThrow(ModelManifestError);
      await expect(library.remove(installed.name)).rejects.toThrow(ModelManifestError);
      expect(await fs.readFile(library.manifestPath, 'utf8')).toBe(text);
    }
    expect(await sha256Of(installed.path)).toBe(tinyModelSha256);
  });

  it('refuses a manifest written by a newer version', async () => {
    await fs.mkdir(modelsDir, { recursive: true });
    await fs.writeFile(
      path.join(modelsDir, MODEL_MANIFEST_FILE_NAME),
      JSON.stringify({ version: 99, models: [] }),
    );
    await expect(createLibrary().list()).rejects.toThrow(/format version 99, written by a newer Veil/);
  });
});

describe('ModelLibrary leftovers', () => {
  it('removes unlisted model folders and manifest temp files, and nothing else', async () => {
    const library = createLibrary();
    const installed = await library.importFile(await copyOfTinyModel(), { mode: 'copy' });
    const orphan = path.join(modelsDir, '0b0e9f1c-3a55-4c43-9a3e-6f1d2f0e5a77');
    await fs.mkdir(orphan);
    await fs.writeFile(path.join(orphan, 'half.gguf.importing'), 'partial');
    const staleTemp = path.join(modelsDir, '.models.json.a1b2c3.tmp');
    await fs.writeFile(staleTemp, '{}');
    const userFolder = path.join(modelsDir, 'my-notes');
    await fs.mkdir(userFolder);

    const removed = await library.removeLeftovers();

    expect(removed.sort()).toEqual([staleTemp, orphan].sort());
    expect((await fs.readdir(modelsDir)).sort()).toEqual(
      [installed.id, MODEL_MANIFEST_FILE_NAME, 'my-notes'].sort(),
    );
    expect((await library.get(installed.id)).status).toBe('ready');
  });

  it('removes nothing while the manifest is unreadable', async () => {
    await fs.mkdir(path.join(modelsDir, '0b0e9f1c-3a55-4c43-9a3e-6f1d2f0e5a77'), { recursive: true });
    await fs.writeFile(path.join(modelsDir, MODEL_MANIFEST_FILE_NAME), 'not json');

    await expect(createLibrary().removeLeftovers()).rejects.toThrow(ModelManifestError);
    expect(await modelDirEntries()).toEqual(['0b0e9f1c-3a55-4c43-9a3e-6f1d2f0e5a77']);
  });
});

describe('ModelLibrary fit estimate and lifecycle', () => {
  it('delegates estimateFit to the given estimator with the model path', async () => {
    const calls: { modelPath: string; options: EstimateModelFitOptions }[] = [];
    const library = createLibrary({
      estimateFit: async (modelPath, options) => {
        calls.push({ modelPath, options });
        return { fits: true, gpuLayers: 0, ramBytes: 3 * modelPath.length, vramBytes: 0 };
      },
    });
    const installed = await library.importFile(await copyOfTinyModel(), { mode: 'copy' });

    const estimate = await library.estimateFit('tiny', { contextSize: 1024 });

    expect(calls).toEqual([{ modelPath: installed.path, options: { contextSize: 1024 } }]);
    expect(estimate).toEqual({ fits: true, gpuLayers: 0, ramBytes: 3 * installed.path.length, vramBytes: 0 });
  });

  it('explains when no estimator was given or the file is gone', async () => {
    const withoutEstimator = createLibrary();
    const source = await copyOfTinyModel();
    await withoutEstimator.importFile(source, { mode: 'reference' });
    await expect(withoutEstimator.estimateFit('tiny', { contextSize: 512 })).rejects.toThrow(
      FitEstimatorUnavailableError,
    );

    const withEstimator = createLibrary({
      estimateFit: async () => ({ fits: true, gpuLayers: 0, ramBytes: 1, vramBytes: 0 }),
    });
    await fs.rm(source);
    await expect(withEstimator.estimateFit('tiny', { contextSize: 512 })).rejects.toThrow(
      ModelUnavailableError,
    );
  });

  it('rejects use after dispose, and dispose is idempotent', async () => {
    const library = createLibrary();
    await library.dispose();
    await library.dispose();
    await expect(library.list()).rejects.toThrow(ModelLibraryDisposedError);
    await expect(library.importFile(tinyModelPath, { mode: 'reference' })).rejects.toThrow(
      ModelLibraryDisposedError,
    );
    await expect(library.download('https://example.invalid/x.gguf')).rejects.toThrow(
      ModelLibraryDisposedError,
    );
  });
});

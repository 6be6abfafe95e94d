import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTestModel } from '../../test/fixtures/testModels';
import { InvalidGgufError } from '../gguf/InvalidGgufError';
import { UnsupportedArchitectureError } from '../gguf/UnsupportedArchitectureError';
import { Engine } from './Engine';
import {
  BackendUnavailableError,
  EngineDisposedError,
  InsufficientMemoryError,
  InvalidEngineOptionsError,
  ModelFileNotFoundError,
  ModelLoadAbortedError,
} from './engineErrors';

describe('Engine', () => {
  let engine: Engine;
  let tinyPath: string;
  let scratchDir: string;

  beforeAll(async () => {
    tinyPath = await ensureTestModel('tiny');
    scratchDir = await mkdtemp(path.join(tmpdir(), 'veil-engine-'));
    engine = await Engine.create({ backend: 'cpu', threads: 1, logLevel: 'error' });
  });

  afterAll(async () => {
    await engine?.dispose();
    if (scratchDir !== undefined) await rm(scratchDir, { recursive: true, force: true });
  });

  it('runs on the requested backend with the requested threads, and reports the machine', async () => {
    expect(engine.backend).toBe('cpu');
    expect(engine.threads).toBe(1);
    expect(engine.llama.maxThreads).toBe(1);
    const info = await engine.getSystemInfo();
    expect(info.backend).toBe('cpu');
    expect(info.threads).toBe(1);
    expect(info.cpuMathCores).toBeGreaterThanOrEqual(1);
    expect(info.ramTotalBytes).toBeGreaterThan(info.ramFreeBytes);
    expect(info.ramFreeBytes).toBeGreaterThan(0);
    expect(info.llamaCppRelease).toMatch(/llama\.cpp@/);
  });

  it('rejects out-of-range options before loading anything', async () => {
    await expect(Engine.create({ threads: 0 })).rejects.toBeInstanceOf(InvalidEngineOptionsError);
    await expect(Engine.create({ threads: 1.5 })).rejects.toThrow(/threads/);
    await expect(engine.estimateFit(tinyPath, { sequences: 0 })).rejects.toBeInstanceOf(
      InvalidEngineOptionsError,
    );
    await expect(engine.loadModel({ modelPath: tinyPath, contextSize: -4 })).rejects.toThrow(/contextSize/);
  });

  it.skipIf(process.platform === 'darwin')(
    'says clearly when an explicit backend has no binary here',
    async () => {
      const failure = Engine.create({ backend: 'metal', threads: 1, logLevel: 'disabled' });
      await expect(failure).rejects.toBeInstanceOf(BackendUnavailableError);
      await expect(failure).rejects.toThrow(/metal backend/);
    },
  );

  it('estimates the fit of the tiny model at a given context, defaulting to 2 sequences', async () => {
    const small = await engine.estimateFit(tinyPath, { contextSize: 512 });
    expect(small).toMatchObject({ fits: true, contextSize: 512, sequences: 2, gpuLayers: 0, vramBytes: 0 });
    expect(small.trainContextSize).toBe(2048);
    expect(small.ramBytes).toBeGreaterThan(800_000);
    const bigger = await engine.estimateFit(tinyPath, { contextSize: 2048, sequences: 4 });
    expect(bigger.ramBytes).toBeGreaterThan(small.ramBytes);
    const defaults = await engine.estimateFit(tinyPath);
    expect(defaults.contextSize).toBe(2048);
  });

  it('refuses before loading when the model and context cannot fit in free memory, saying how much is needed', async () => {
    const benchPath = await ensureTestModel('bench');
    // 64 sequences × 262,144 tokens of KV cache: about 200 GB for this 80M-parameter model.
    const options = { modelPath: benchPath, contextSize: 262_144, sequences: 64 };
    const estimate = await engine.estimateFit(benchPath, options);
    expect(estimate.fits).toBe(false);
    expect(estimate.ramBytes).toBeGreaterThan(estimate.availableRamBytes);
    const failure = engine.loadModel(options);
    await expect(failure).rejects.toBeInstanceOf(InsufficientMemoryError);
    await expect(failure).rejects.toThrow(/needs about [\d.]+ GB of RAM \([\d.]+ [KMGT]?B free/);
    expect(engine.loadedModels).toEqual([]);
  });

  it('names a missing file, a non-GGUF file and a truncated GGUF', async () => {
    await expect(
      engine.loadModel({ modelPath: path.join(scratchDir, 'absent.gguf') }),
    ).rejects.toBeInstanceOf(ModelFileNotFoundError);
    await expect(engine.loadModel({ modelPath: scratchDir })).rejects.toBeInstanceOf(ModelFileNotFoundError);

    const textFile = path.join(scratchDir, 'notes.gguf');
    await writeFile(textFile, 'these are some notes, not a model\n'.repeat(20));
    const notGguf = engine.loadModel({ modelPath: textFile });
    await expect(notGguf).rejects.toBeInstanceOf(InvalidGgufError);
    await expect(notGguf).rejects.toThrow(/notes\.gguf is not a valid GGUF model/);

    const original = await readFile(tinyPath);
    const headerOnly = path.join(scratchDir, 'header-only.gguf');
    await writeFile(headerOnly, original.subarray(0, 64));
    await expect(engine.estimateFit(headerOnly)).rejects.toBeInstanceOf(InvalidGgufError);

    const truncated = path.join(scratchDir, 'truncated.gguf');
    await writeFile(truncated, original.subarray(0, Math.floor(original.length / 2)));
    const truncatedLoad = engine.loadModel({ modelPath: truncated, contextSize: 256, sequences: 1 });
    await expect(truncatedLoad).rejects.toBeInstanceOf(InvalidGgufError);
    await expect(truncatedLoad).rejects.toThrow(/truncated\.gguf is not a valid GGUF model \(truncated/);
    expect(engine.loadedModels).toEqual([]);
  });

  it('names an architecture llama.cpp cannot run', async () => {
    const patched = path.join(scratchDir, 'unknown-arch.gguf');
    await writeFile(patched, await readFile(tinyPath));
    await overwriteStringValue(patched, 'general.architecture', 'llama', 'veilx');
    const failure = engine.loadModel({ modelPath: patched, contextSize: 256, sequences: 1 });
    await expect(failure).rejects.toBeInstanceOf(UnsupportedArchitectureError);
    await expect(failure).rejects.toThrow(/unknown-arch\.gguf uses a model architecture/);
    await expect(failure).rejects.toMatchObject({ architecture: 'veilx' });
    await expect(engine.estimateFit(patched)).rejects.toMatchObject({ architecture: 'veilx' });
  });

  it('loads with monotonic progress ending at 1 and describes the loaded model', async () => {
    const progress: number[] = [];
    const model = await engine.loadModel({
      modelPath: tinyPath,
      contextSize: 512,
      sequences: 3,
      onProgress: (fraction) => progress.push(fraction),
    });
    try {
      expect(progress.at(-1)).toBe(1);
      expect(progress.every((value, index) => index === 0 || value > (progress[index - 1] ?? 0))).toBe(true);
      expect(model.info).toEqual({
        path: tinyPath,
        architecture: 'llama',
        trainContextSize: 2048,
        contextSize: 512,
        sequences: 3,
        gpuLayers: 0,
        sizeBytes: expect.any(Number),
        chatWrapper: 'ChatML',
      });
      expect(engine.loadedModels).toEqual([model]);
    } finally {
      await model.dispose();
    }
    expect(engine.loadedModels).toEqual([]);
  });

  it('cancels a load through its signal, before and during loading', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(engine.loadModel({ modelPath: tinyPath, signal: controller.signal })).rejects.toBeInstanceOf(
      ModelLoadAbortedError,
    );

    // Its own engine: a cancelled load must not keep the runtime from disposing, even after garbage collection
    // (node-llama-cpp's own load abort leaves a dispose guard held by the collected half-built model).
    const own = await Engine.create({ backend: 'cpu', threads: 1, logLevel: 'error' });
    const midway = new AbortController();
    const progress: number[] = [];
    const failure = own.loadModel({
      modelPath: tinyPath,
      contextSize: 256,
      sequences: 1,
      signal: midway.signal,
      onProgress: (fraction) => {
        progress.push(fraction);
        midway.abort();
      },
    });
    await expect(failure).rejects.toBeInstanceOf(ModelLoadAbortedError);
    expect(progress).toHaveLength(1);
    expect(own.loadedModels).toEqual([]);
    collectGarbage();
    await withinMs(own.dispose(), 20_000);
    expect(own.disposed).toBe(true);
  });

  it('disposes its models and itself once, then refuses every operation', async () => {
    const own = await Engine.create({ backend: 'cpu', threads: 1, logLevel: 'error' });
    const model = await own.loadModel({ modelPath: tinyPath, contextSize: 256, sequences: 1 });
    const first = own.dispose();
    expect(own.dispose()).toBe(first);
    await first;
    expect(own.disposed).toBe(true);
    expect(model.disposed).toBe(true);
    expect(model.native.model.disposed).toBe(true);
    expect(own.loadedModels).toEqual([]);
    await expect(own.loadModel({ modelPath: tinyPath })).rejects.toBeInstanceOf(EngineDisposedError);
    await expect(own.estimateFit(tinyPath)).rejects.toBeInstanceOf(EngineDisposedError);
    await expect(own.getSystemInfo()).rejects.toBeInstanceOf(EngineDisposedError);
    expect(() => own.llama).toThrow(EngineDisposedError);
  });
});

function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

async function withinMs(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Rewrites a same-length GGUF string value in place (the key is followed by type u32 and length u64). */
async function overwriteStringValue(file: string, key: string, from: string, to: string): Promise<void> {
  expect(to.length).toBe(from.length);
  const bytes = await readFile(file);
  const keyAt = bytes.indexOf(Buffer.from(key, 'utf8'));
  expect(keyAt).toBeGreaterThan(0);
  const valueAt = keyAt + key.length + 4 + 8;
  expect(bytes.subarray(valueAt, valueAt + from.length).toString('utf8')).toBe(from);
  const handle = await open(file, 'r+');
  try {
    await handle.write(Buffer.from(to, 'utf8'), 0, to.length, valueAt);
  } finally {
    await handle.close();
  }
}

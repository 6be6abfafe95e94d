import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTestModel } from '../../test/fixtures/testModels';
import { Engine } from './Engine';
import { ModelDisposedError } from './engineErrors';

const CYCLES = 4;
/** A leaked bench model keeps ~160 MB of weights mapped; allocator noise across cycles stays far below this. */
const MAX_RSS_GROWTH_BYTES = 64 * 1024 * 1024;

describe('engine lifecycle: nothing leaks after unload', () => {
  let engine: Engine;
  let benchPath: string;

  beforeAll(async () => {
    benchPath = await ensureTestModel('bench');
    engine = await Engine.create({ backend: 'cpu', threads: 1, logLevel: 'error' });
  });

  afterAll(async () => {
    await engine?.dispose();
  });

  async function loadGenerateDispose(): Promise<{ loadedRam: number }> {
    const model = await engine.loadModel({ modelPath: benchPath, contextSize: 256, sequences: 2 });
    const loadedRam = (await engine.llama.getLlamaMemoryUsage()).cpuRam;
    const results = await Promise.all([
      model.generate({ messages: [{ role: 'user', content: 'one' }], maxTokens: 3 }),
      model.generate({ messages: [{ role: 'user', content: 'two' }], maxTokens: 3 }),
    ]);
    expect(results.map((result) => result.completionTokens)).toEqual([3, 3]);
    const { model: llamaModel, context } = model.native;
    await model.dispose();
    expect(model.disposed).toBe(true);
    expect(llamaModel.disposed).toBe(true);
    expect(context.disposed).toBe(true);
    expect(engine.loadedModels).toEqual([]);
    return { loadedRam };
  }

  it('returns llama.cpp memory to the baseline after every unload, and the process does not grow', async () => {
    const baseline = await engine.llama.getLlamaMemoryUsage();
    const warmUp = await loadGenerateDispose();
    expect(warmUp.loadedRam).toBeGreaterThan(baseline.cpuRam + 100_000_000);
    expect(await engine.llama.getLlamaMemoryUsage()).toEqual(baseline);

    const rssAfterWarmUp = process.memoryUsage().rss;
    for (let cycle = 0; cycle < CYCLES; cycle += 1) {
      const { loadedRam } = await loadGenerateDispose();
      expect(loadedRam).toBe(warmUp.loadedRam);
      expect(await engine.llama.getLlamaMemoryUsage()).toEqual(baseline);
    }
    expect(process.memoryUsage().rss - rssAfterWarmUp).toBeLessThan(MAX_RSS_GROWTH_BYTES);
  });

  it('Engine.dispose ends a running generation, unloads every model and frees the runtime, once', async () => {
    const own = await Engine.create({ backend: 'cpu', threads: 1, logLevel: 'error' });
    const first = await own.loadModel({ modelPath: benchPath, contextSize: 256, sequences: 1 });
    const second = await own.loadModel({ modelPath: benchPath, contextSize: 256, sequences: 1 });
    let streaming = false;
    const running = first.generate(
      { messages: [{ role: 'user', content: 'keep going' }], maxTokens: 200 },
      {
        onToken: () => {
          streaming = true;
        },
      },
    );
    while (!streaming) await new Promise((resolve) => setTimeout(resolve, 5));
    const llama = own.llama;
    await Promise.all([own.dispose(), own.dispose()]);
    const result = await running;
    expect(result.finishReason).toBe('error');
    expect(result.error?.name).toBe(ModelDisposedError.name);
    expect([first.disposed, second.disposed]).toEqual([true, true]);
    expect([first.native.model.disposed, second.native.model.disposed]).toEqual([true, true]);
    expect(llama.disposed).toBe(true);
    expect(own.loadedModels).toEqual([]);
  });
});

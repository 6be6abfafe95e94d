import { Engine } from '../app/engine/Engine';
import { ensureTestModel } from '../test/fixtures/testModels';
const engine = await Engine.create({ threads: 1, logLevel: 'error' });
const p = await ensureTestModel('tiny');
console.log('base', await engine.llama.getLlamaMemoryUsage(), process.memoryUsage().rss / 1e6);
for (let i = 0; i < 8; i++) {
  const m = await engine.loadModel({ modelPath: p, contextSize: 512, sequences: 2 });
  const loaded = await engine.llama.getLlamaMemoryUsage();
  await Promise.all([m.generate({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 16 }), m.generate({ messages: [{ role: 'user', content: 'yo' }], maxTokens: 16 })]);
  await m.dispose();
  globalThis.gc?.();
  console.log(i, loaded, await engine.llama.getLlamaMemoryUsage(), (process.memoryUsage().rss / 1e6).toFixed(1));
}
await engine.dispose();

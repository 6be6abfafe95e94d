import { getLlama, LlamaChat, readGgufFileInfo, GgufInsights } from 'node-llama-cpp';
import { writeFileSync } from 'node:fs';
const llama = await getLlama({ gpu: 'auto', build: 'never', maxThreads: 2, logLevel: 'error' as never });
console.log('gpu', llama.gpu, llama.cpuMathCores, llama.maxThreads, llama.ramPaddingSize, llama.vramPaddingSize, await llama.getVramState(), await llama.getRamState());
for (const kind of ['tiny', 'bench']) {
  const p = `.cache/test-models/veil-test-${kind}-v1.gguf`;
  const info = await readGgufFileInfo(p, { sourceType: 'filesystem' });
  const ins = await GgufInsights.from(info, llama);
  console.log(kind, ins.trainContextSize, ins.isSupportedByLlamaCpp, ins.totalParameters, ins.modelSize);
  console.log(await ins.estimateModelResourceRequirementsV2({ gpuLayers: 0 }), await ins.estimateContextResourceRequirementsV2({ contextSize: 512, sequences: 2, modelGpuLayers: 0 }));
  const model = await llama.loadModel({ modelPath: p });
  const ctx = await model.createContext({ contextSize: 512, sequences: 2 });
  const chat = new LlamaChat({ contextSequence: ctx.getSequence() });
  console.log(chat.chatWrapper.wrapperName);
  const t0 = performance.now(); let first = 0; let n = 0;
  const r = await chat.generateResponse([{ type: 'system', text: 'You are a test.' }, { type: 'user', text: 'Hello there' }, { type: 'model', response: [] }], { maxTokens: 64, onResponseChunk: (c) => { if (!first) first = performance.now(); n += c.tokens.length; } });
  const t1 = performance.now();
  console.log(JSON.stringify(r.response), r.metadata.stopReason, n, 'ttft', first - t0, 'total', t1 - t0);
  await model.dispose();
}
writeFileSync('/tmp/eng/garbage.gguf', 'hello world this is not a gguf file at all'.repeat(10));
try { await readGgufFileInfo('/tmp/eng/garbage.gguf', { sourceType: 'filesystem' }); } catch (e) { console.log('garbage:', (e as Error).name, (e as Error).message); }
await llama.dispose();

import { readFile, writeFile } from 'node:fs/promises';
import { Engine } from '../app/engine/Engine';
import { ensureTestModel } from '../test/fixtures/testModels';
const which = process.argv[2];
const engine = await Engine.create({ backend: 'cpu', threads: 1, logLevel: 'error' });
const tinyPath = await ensureTestModel('tiny');
const original = await readFile(tinyPath);
await writeFile('/tmp/eng/trunc.gguf', original.subarray(0, Math.floor(original.length / 2)));
if (which === 'trunc') try { await engine.loadModel({ modelPath: '/tmp/eng/trunc.gguf', contextSize: 256, sequences: 1 }); } catch (e) { console.log('err', (e as Error).message); }
if (which === 'bench') try { await engine.loadModel({ modelPath: await ensureTestModel('bench'), contextSize: 262144, sequences: 64 }); } catch (e) { console.log('err', (e as Error).message); }
if (which === 'metal') try { await Engine.create({ backend: 'metal', threads: 1, logLevel: 'disabled' }); } catch (e) { console.log('err', (e as Error).message); }
if (which === 'fit') console.log(await engine.estimateFit(tinyPath, { contextSize: 512 }));
console.log('disposing');
const timer = setTimeout(() => { console.log('HUNG'); process.exit(1); }, 20000);
await engine.dispose();
clearTimeout(timer);
console.log('disposed');

/**
 * Regenerates the known-answer vectors: `NODE_ENV=test npx tsx test/vectors/generate.ts`.
 * Deterministic groups are rebuilt and compared by app/protocol/vectors.test.ts; the encrypted stream frames depend on
 * a random secretstream header, so they are written only when missing (or with --frames) and checked by decryption.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toHex } from '../../app/crypto/bytes';
import { getSodium } from '../../app/crypto/sodium';
import { ResponseStreamWriter } from '../../app/protocol/ResponseStreamWriter';
import { buildDeterministicVectors, buildVectorWorld, VECTOR_FILES, VECTOR_INPUTS } from './buildVectors';
import type { StreamFramesVector } from './buildVectors';

const directory = path.dirname(fileURLToPath(import.meta.url));

async function writeJson(name: string, value: unknown): Promise<void> {
  await fs.writeFile(path.join(directory, name), `${JSON.stringify(value, null, 2)}\n`);
}

async function exists(name: string): Promise<boolean> {
  try {
    await fs.access(path.join(directory, name));
    return true;
  } catch {
    return false;
  }
}

async function buildStreamFrames(): Promise<StreamFramesVector> {
  await getSodium();
  const world = await buildVectorWorld();
  try {
    const opened = await world.keyring.openSealedRequest(world.pending.sealedRequest);
    const clock = [VECTOR_INPUTS.startedAt, VECTOR_INPUTS.finishedAt];
    const writer = await ResponseStreamWriter.create({
      request: opened,
      identity: world.identity,
      backend: 'cpu',
      appVersion: '0.1.0',
      now: () => clock.shift() ?? VECTOR_INPUTS.finishedAt,
    });
    const frames = VECTOR_INPUTS.responseTexts.map((text) => writer.pushTokens(new TextEncoder().encode(text)));
    frames.push(writer.finish(VECTOR_INPUTS.tokens).frame);
    opened.dispose();
    return { streamHeader: toHex(writer.header), frames: frames.map(toHex) };
  } finally {
    await world.dispose();
  }
}

const vectors = await buildDeterministicVectors();
await writeJson(VECTOR_FILES.keys, vectors.keys);
await writeJson(VECTOR_FILES.certificate, vectors.certificate);
await writeJson(VECTOR_FILES.sealedRequest, vectors.sealedRequest);
await writeJson(VECTOR_FILES.response, vectors.response);
await writeJson(VECTOR_FILES.padding, vectors.padding);
if (process.argv.includes('--frames') || !(await exists(VECTOR_FILES.streamFrames))) {
  await writeJson(VECTOR_FILES.streamFrames, await buildStreamFrames());
}
process.stdout.write(`wrote vectors to ${directory}\n`);

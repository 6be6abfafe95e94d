import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTestModel, testModelParameterCount, TEST_MODEL_SIZE } from '../../test/fixtures/testModels';
import { GgufFileAccessError } from './GgufFileAccessError';
import type { GgufMetadataEntry } from './GgufMetadataValue';
import { ggufMetadataSummarySchema } from './GgufMetadataSummary';
import { InvalidGgufError } from './InvalidGgufError';
import { readGgufMetadata } from './readGgufMetadata';
import { UnsupportedArchitectureError } from './UnsupportedArchitectureError';
import { writeGguf } from './writeGguf';

let dir: string;
let tinyModel: string;
let tinyBytes: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'veil-gguf-read-'));
  tinyModel = await ensureTestModel('tiny');
  tinyBytes = await readFile(tinyModel);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(name: string, content: Uint8Array): Promise<string> {
  const filePath = path.join(dir, name);
  await writeFile(filePath, content);
  return filePath;
}

/** A minimal but complete llama-like header: enough keys for the summary, one small tensor. */
async function writeModel(
  name: string,
  architecture: string,
  extra: GgufMetadataEntry[] = [],
): Promise<string> {
  const filePath = path.join(dir, name);
  await writeGguf(filePath, {
    metadata: [
      { key: 'general.architecture', value: { type: 'string', value: architecture } },
      { key: `${architecture}.context_length`, value: { type: 'uint32', value: 128 } },
      { key: `${architecture}.block_count`, value: { type: 'uint32', value: 1 } },
      { key: `${architecture}.embedding_length`, value: { type: 'uint32', value: 8 } },
      ...extra,
    ],
    tensors: [{ name: 'token_embd.weight', shape: [8, 4], type: 'F16', data: () => [new Uint8Array(64)] }],
  });
  return filePath;
}

async function expectInvalid(filePath: string, reason: string | RegExp): Promise<void> {
  const error = await readGgufMetadata(filePath).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(InvalidGgufError);
  const prefix = `readGgufMetadata: ${path.basename(filePath)} is not a valid GGUF file (`;
  const message = (error as Error).message;
  expect(message.startsWith(prefix) && message.endsWith(')')).toBe(true);
  if (typeof reason === 'string') expect(message.slice(prefix.length, -1)).toBe(reason);
  else expect(message.slice(prefix.length, -1)).toMatch(reason);
}

describe('readGgufMetadata', () => {
  it('summarises the tiny test model', async () => {
    const summary = await readGgufMetadata(tinyModel);
    expect(summary).toEqual({
      architecture: 'llama',
      name: 'Veil Test Tiny',
      parameterCount: testModelParameterCount('tiny'),
      quantization: 'F32',
      contextLength: 2048,
      layers: 2,
      embeddingLength: 64,
      fileSize: TEST_MODEL_SIZE.tiny,
      chatTemplate: true,
    });
    expect(ggufMetadataSummarySchema.parse(summary)).toEqual(summary);
  });

  it('names the quantization from general.file_type and leaves out an absent name and template', async () => {
    const filePath = await writeModel('q4.gguf', 'llama', [
      { key: 'general.file_type', value: { type: 'uint32', value: 15 } },
    ]);
    const summary = await readGgufMetadata(filePath);
    expect(summary.quantization).toBe('Q4_K_M');
    expect(summary.parameterCount).toBe(32);
    expect(summary).not.toHaveProperty('name');
    expect(summary.chatTemplate).toBe(false);
  });

  it('falls back to the dominant tensor type when general.file_type is absent', async () => {
    expect((await readGgufMetadata(await writeModel('nofiletype.gguf', 'llama'))).quantization).toBe('F16');
  });

  it('rejects random bytes as bad magic', async () => {
    await expectInvalid(await fileWith('random.gguf', randomBytes(4096)), 'bad magic');
  });

  it('rejects an empty file', async () => {
    await expectInvalid(await fileWith('empty.gguf', new Uint8Array(0)), 'empty file');
  });

  it('rejects an unsupported GGUF version', async () => {
    const bytes = Buffer.from(tinyBytes.subarray(0, 4096));
    bytes.writeUInt32LE(1, 4);
    await expectInvalid(await fileWith('v1.gguf', bytes), 'unsupported GGUF version 1');
  });

  it('rejects the tiny model cut anywhere inside its header', async () => {
    const headerEnd = tinyBytes.length - testModelParameterCount('tiny') * 4;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 4, max: headerEnd - 1 }), async (cut) => {
        // A cut before the counts are satisfiable is caught by the cheap count check, otherwise by the walk.
        await expectInvalid(
          await fileWith('cut-header.gguf', tinyBytes.subarray(0, cut)),
          /^(truncated header|corrupt header \(counts exceed the file size\))$/,
        );
      }),
      { numRuns: 40 },
    );
  });

  it('rejects the tiny model cut inside its tensor data', async () => {
    await expectInvalid(
      await fileWith('cut-data.gguf', tinyBytes.subarray(0, tinyBytes.length - 100)),
      'truncated tensor data',
    );
  });

  it('rejects tensor and entry counts that cannot fit the file without reading on', async () => {
    const bytes = Buffer.from(tinyBytes.subarray(0, 4096));
    bytes.writeBigUInt64LE(2n ** 40n, 16); // kv_count
    await expectInvalid(await fileWith('counts.gguf', bytes), 'corrupt header (counts exceed the file size)');
  });

  it('rejects a string length that runs past the end of the file', async () => {
    const bytes = Buffer.from(tinyBytes.subarray(0, 4096));
    bytes.writeBigUInt64LE(60_000n, 24); // length of the first key
    await expectInvalid(await fileWith('strlen.gguf', bytes), 'truncated header');
  });

  it('rejects an absurd key length without allocating it', async () => {
    const bytes = Buffer.from(tinyBytes);
    bytes.writeBigUInt64LE(2n ** 52n, 24);
    await expectInvalid(await fileWith('keylen.gguf', bytes), 'corrupt header (metadata key too long)');
  });

  it('rejects an unknown architecture without quoting it', async () => {
    const error = await readGgufMetadata(await writeModel('arch.gguf', 'notanarch')).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UnsupportedArchitectureError);
    expect((error as UnsupportedArchitectureError).architecture).toBe('notanarch');
    expect((error as Error).message).toMatch(/^readGgufMetadata: arch\.gguf /);
    expect((error as Error).message).not.toContain('notanarch');
  });

  it('rejects a model without its context length', async () => {
    const filePath = path.join(dir, 'noctx.gguf');
    await writeGguf(filePath, {
      metadata: [{ key: 'general.architecture', value: { type: 'string', value: 'llama' } }],
      tensors: [],
    });
    await expectInvalid(filePath, 'missing or invalid llama.context_length');
  });

  it('reports a missing file as an access error', async () => {
    const error = await readGgufMetadata(path.join(dir, 'missing.gguf')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GgufFileAccessError);
    expect((error as Error).message).toBe('readGgufMetadata: cannot read missing.gguf');
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});

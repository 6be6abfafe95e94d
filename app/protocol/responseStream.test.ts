import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { concatBytes } from '../crypto/bytes';
import { blake2b256 } from '../crypto/hash';
import { IdentityKeyPair } from '../crypto/IdentityKeyPair';
import { getSodium } from '../crypto/sodium';
import { STREAM_CHUNK_OVERHEAD_BYTES } from '../crypto/constants';
import { PROTOCOL_VERSION, STREAM_CHUNK_BLOCK_BYTES } from './constants';
import type { OpenedRequest } from './OpenedRequest';
import { padToBlock } from './padding';
import type { PendingRequest } from './PendingRequest';
import { ProtocolError } from './ProtocolError';
import { signReceipt } from './Receipt';
import type { ReceiptBody } from './Receipt';
import { ResponseStreamReader } from './ResponseStreamReader';
import { ResponseStreamWriter } from './ResponseStreamWriter';
import { sealRequest } from './sealRequest';
import { decodeStreamChunk, encodeStreamChunk, PROVIDER_ERROR_CODES } from './streamChunk';
import type { StreamChunk } from './streamChunk';
import { createProtocolWorld, testContent } from './protocolTestKit';
import type { ProtocolWorld } from './protocolTestKit';

const encoder = new TextEncoder();

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return 'OK';
}

interface Exchange {
  readonly pending: PendingRequest;
  readonly opened: OpenedRequest;
}

/** Reads frames into a fresh reader; returns the error code of the first failure, or 'OK' after a complete stream. */
async function readAll(
  pending: PendingRequest,
  header: Uint8Array,
  frames: ReadonlyArray<Uint8Array>,
): Promise<string> {
  const reader = await ResponseStreamReader.create(pending, header);
  return codeOf(() => {
    for (const frame of frames) reader.pull(frame);
    reader.end();
  });
}

describe('response streams (PROTOCOL.md §6)', () => {
  let world: ProtocolWorld;
  const exchange = async (prompt = 'hello'): Promise<Exchange> => {
    world.clock.value += 1;
    const pending = await sealRequest(world.certificate, testContent(prompt), { now: world.clock.value });
    return { pending, opened: await world.keyring.openSealedRequest(pending.sealedRequest) };
  };
  const honestStream = async (
    opened: OpenedRequest,
    texts: ReadonlyArray<string>,
    identity = world.identity,
  ) => {
    const writer = await ResponseStreamWriter.create({
      request: opened,
      identity,
      backend: 'cpu',
      appVersion: '0.1.0',
      now: world.clock.now,
    });
    const frames = texts.map((text) => writer.pushTokens(encoder.encode(text)));
    const finished = writer.finish({ prompt: 3, completion: texts.length });
    return { header: writer.header, frames: [...frames, finished.frame], finished };
  };
  /** A provider that deviates from the protocol: arbitrary chunks and tags under the genuine stream key. */
  const rogueStream = async (
    opened: OpenedRequest,
    chunks: ReadonlyArray<{ chunk: StreamChunk | Uint8Array; final: boolean }>,
  ) => {
    const sodium = await getSodium();
    const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(
      opened.deriveStreamKey(),
    );
    const frames = chunks.map(({ chunk, final }) =>
      sodium.crypto_secretstream_xchacha20poly1305_push(
        state,
        padToBlock(chunk instanceof Uint8Array ? chunk : encodeStreamChunk(chunk), STREAM_CHUNK_BLOCK_BYTES),
        null,
        final
          ? sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
          : sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
      ),
    );
    return { header, frames };
  };
  const receiptFor = (
    opened: OpenedRequest,
    text: string,
    overrides: Partial<ReceiptBody> = {},
    signer: IdentityKeyPair = world.identity,
  ): Uint8Array =>
    signReceipt(signer, {
      v: PROTOCOL_VERSION,
      requestId: opened.requestId,
      sealedRequestHash: opened.sealedRequestHash,
      responseHash: blake2b256(encoder.encode(text)),
      providerId: world.identity.providerId,
      keyId: opened.header.keyId,
      model: opened.model,
      sampling: opened.sampling,
      backend: 'cpu',
      appVersion: '0.1.0',
      startedAt: world.clock.value,
      finishedAt: world.clock.value,
      tokens: { prompt: 1, completion: 1 },
      ...overrides,
    });

  beforeEach(async () => {
    world = await createProtocolWorld();
  });
  afterEach(async () => {
    await world.dispose();
  });

  it('round-trips random token batches, with every frame padded to the 64-byte grid (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ maxLength: 300 }), { maxLength: 20 }), async (texts) => {
        const { pending, opened } = await exchange();
        const { header, frames } = await honestStream(opened, texts);
        for (const frame of frames) {
          expect((frame.length - STREAM_CHUNK_OVERHEAD_BYTES) % STREAM_CHUNK_BLOCK_BYTES).toBe(0);
        }
        const reader = await ResponseStreamReader.create(pending, header);
        const received: Uint8Array[] = [];
        for (const frame of frames) {
          const event = reader.pull(frame);
          if (event.type === 'tokens') received.push(event.text);
        }
        expect(new TextDecoder().decode(concatBytes(...received))).toBe(texts.join(''));
        expect(reader.end().type).toBe('final');
      }),
      { numRuns: 30 },
    );
  });

  it('rejects a stream without its FINAL chunk as TRUNCATED', async () => {
    const { pending, opened } = await exchange();
    const { header, frames } = await honestStream(opened, ['a', 'b']);
    expect(await readAll(pending, header, frames.slice(0, -1))).toBe('TRUNCATED');
    expect(await readAll(pending, header, [])).toBe('TRUNCATED');
  });

  it('rejects dropped, reordered and duplicated chunks', async () => {
    const { pending, opened } = await exchange();
    const { header, frames } = await honestStream(opened, ['one', 'two', 'three']);
    const [a, b, c, final] = frames as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    expect(await readAll(pending, header, [a, c, final])).toBe('DECRYPT_FAILED');
    expect(await readAll(pending, header, [b, a, c, final])).toBe('DECRYPT_FAILED');
    expect(await readAll(pending, header, [a, a, b, c, final])).toBe('DECRYPT_FAILED');
    expect(await readAll(pending, header, [a, b, c, final, final])).toBe('STREAM_CLOSED');
    expect(await readAll(pending, header, frames)).toBe('OK');
  });

  it("rejects another request's response (cross-request swap), even from the same provider", async () => {
    const first = await exchange('first');
    const second = await exchange('second');
    const streamA = await honestStream(first.opened, ['answer A']);
    expect(await readAll(second.pending, streamA.header, streamA.frames)).toBe('DECRYPT_FAILED');
    const streamB = await honestStream(second.opened, ['answer B']);
    expect(
      await readAll(first.pending, streamA.header, [
        ...streamA.frames.slice(0, 1),
        ...streamB.frames.slice(1),
      ]),
    ).toBe('DECRYPT_FAILED');
  });

  it('rejects any single bit flip in the header or any frame (property)', async () => {
    const { pending, opened } = await exchange();
    const { header, frames } = await honestStream(opened, ['the quick', ' brown fox']);
    const all = [header, ...frames];
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: all.length - 1 }), fc.nat(), async (index, bitSeed) => {
        const target = all[index] ?? header;
        const bit = bitSeed % (target.length * 8);
        const tampered = Uint8Array.from(target);
        tampered[bit >> 3] = (tampered[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        const copy = all.map((part, i) => (i === index ? tampered : part));
        const [h, ...rest] = copy as [Uint8Array, ...Uint8Array[]];
        expect(await readAll(pending, h, rest)).not.toBe('OK');
      }),
      { numRuns: 150 },
    );
  });

  it('rejects a receipt signed by an identity other than the pinned one', async () => {
    const { pending, opened } = await exchange();
    const impostor = await IdentityKeyPair.generate();
    const rogue = await rogueStream(opened, [
      { chunk: { t: 'tokens', seq: 0, text: encoder.encode('hi') }, final: false },
      { chunk: { t: 'final', seq: 1, receipt: receiptFor(opened, 'hi', {}, impostor) }, final: true },
    ]);
    expect(await readAll(pending, rogue.header, rogue.frames)).toBe('BAD_SIGNATURE');
    // An honest writer refuses to answer under an identity the request was not sealed to.
    await expect(honestStream(opened, ['hi'], impostor)).rejects.toSatisfy(
      (error: unknown) => error instanceof ProtocolError && error.code === 'WRONG_PROVIDER',
    );
  });

  it('rejects a receipt whose response hash does not match the text received', async () => {
    const { pending, opened } = await exchange();
    const text = encoder.encode('what was sent');
    const rogue = await rogueStream(opened, [
      { chunk: { t: 'tokens', seq: 0, text }, final: false },
      { chunk: { t: 'final', seq: 1, receipt: receiptFor(opened, 'what was claimed') }, final: true },
    ]);
    expect(await readAll(pending, rogue.header, rogue.frames)).toBe('HASH_MISMATCH');
  });

  it.each([
    ['another request id', { requestId: new Uint8Array(16).fill(9) }, 'RECEIPT_MISMATCH'],
    ['another sealed request', { sealedRequestHash: new Uint8Array(32).fill(9) }, 'HASH_MISMATCH'],
    [
      'other sampling parameters',
      { sampling: { temperature: 0, topP: 1, topK: 1, maxTokens: 1, seed: 0 } },
      'RECEIPT_MISMATCH',
    ],
    ['another model', { model: { id: 'other', sha256: new Uint8Array(32) } }, 'RECEIPT_MISMATCH'],
    ['another key id', { keyId: new Uint8Array(16) }, 'RECEIPT_MISMATCH'],
    ['a finish before the start', { startedAt: 10, finishedAt: 5 }, 'RECEIPT_MISMATCH'],
  ])('rejects a receipt naming %s', async (_name, overrides, code) => {
    const { pending, opened } = await exchange();
    const rogue = await rogueStream(opened, [
      { chunk: { t: 'tokens', seq: 0, text: encoder.encode('x') }, final: false },
      { chunk: { t: 'final', seq: 1, receipt: receiptFor(opened, 'x', overrides) }, final: true },
    ]);
    expect(await readAll(pending, rogue.header, rogue.frames)).toBe(code);
  });

  it('rejects wrong sequence numbers and tags that contradict the chunk type', async () => {
    const { pending, opened } = await exchange();
    const skipped = await rogueStream(opened, [
      { chunk: { t: 'tokens', seq: 1, text: new Uint8Array() }, final: false },
    ]);
    expect(await readAll(pending, skipped.header, skipped.frames)).toBe('OUT_OF_ORDER');
    const finalTokens = await rogueStream(opened, [
      { chunk: { t: 'tokens', seq: 0, text: new Uint8Array() }, final: true },
    ]);
    expect(await readAll(pending, finalTokens.header, finalTokens.frames)).toBe('MALFORMED');
    const openReceipt = await rogueStream(opened, [
      { chunk: { t: 'final', seq: 0, receipt: receiptFor(opened, '') }, final: false },
    ]);
    expect(await readAll(pending, openReceipt.header, openReceipt.frames)).toBe('MALFORMED');
    const unknownType = await rogueStream(opened, [{ chunk: Uint8Array.of(9, 0, 0, 0, 0), final: true }]);
    expect(await readAll(pending, unknownType.header, unknownType.frames)).toBe('MALFORMED');
  });

  it('stays failed after the first bad frame', async () => {
    const { pending, opened } = await exchange();
    const { header, frames } = await honestStream(opened, ['a']);
    const reader = await ResponseStreamReader.create(pending, header);
    expect(codeOf(() => reader.pull(new Uint8Array(40)))).toBe('DECRYPT_FAILED');
    expect(codeOf(() => reader.pull(frames[0] ?? new Uint8Array()))).toBe('STREAM_CLOSED');
  });

  it('limits token batches and refuses use after the stream ended or was disposed', async () => {
    const { opened } = await exchange();
    const writer = await ResponseStreamWriter.create({
      request: opened,
      identity: world.identity,
      backend: 'cpu',
      appVersion: '0.1.0',
    });
    expect(codeOf(() => writer.pushTokens(new Uint8Array(64 * 1024 + 1)))).toBe('TOO_LARGE');
    expect(codeOf(() => writer.finish({ prompt: -1, completion: 0 }))).toBe('MALFORMED');
    writer.finish({ prompt: 0, completion: 0 });
    expect(codeOf(() => writer.finish({ prompt: 0, completion: 0 }))).toBe('STREAM_CLOSED');
    expect(codeOf(() => writer.fail('CANCELLED', 'x'))).toBe('STREAM_CLOSED');
    writer.dispose();
    writer.dispose();
    const second = await ResponseStreamWriter.create({
      request: opened,
      identity: world.identity,
      backend: 'cpu',
      appVersion: '0.1.0',
    });
    second.dispose();
    expect(codeOf(() => second.pushTokens(new Uint8Array(1)))).toBe('STREAM_CLOSED');
    opened.dispose();
    await expect(
      ResponseStreamWriter.create({
        request: opened,
        identity: world.identity,
        backend: 'cpu',
        appVersion: '0.1.0',
      }),
    ).rejects.toSatisfy((error: unknown) => error instanceof ProtocolError && error.code === 'DISPOSED');
  });

  it('rejects a malformed stream header', async () => {
    const { pending } = await exchange();
    await expect(ResponseStreamReader.create(pending, new Uint8Array(23))).rejects.toSatisfy(
      (error: unknown) => error instanceof ProtocolError && error.code === 'MALFORMED',
    );
  });
});

describe('stream chunk layout (PROTOCOL.md §6.2)', () => {
  it('round-trips every chunk type (property)', () => {
    const chunk = fc.oneof(
      fc.record({
        t: fc.constant('tokens' as const),
        seq: fc.nat({ max: 1_000_000 }),
        text: fc.uint8Array({ maxLength: 200 }),
      }),
      fc.record({
        t: fc.constant('error' as const),
        seq: fc.nat({ max: 1_000_000 }),
        code: fc.constantFrom(...PROVIDER_ERROR_CODES),
        message: fc.string({ maxLength: 200 }),
      }),
      fc.record({
        t: fc.constant('final' as const),
        seq: fc.nat({ max: 1_000_000 }),
        receipt: fc.uint8Array({ maxLength: 300 }),
      }),
    );
    fc.assert(
      fc.property(chunk, (value) => {
        expect(decodeStreamChunk(encodeStreamChunk(value), 'test')).toEqual(value);
      }),
    );
  });

  it('rejects unknown types and codes, bad UTF-8 and oversized payloads', () => {
    expect(codeOf(() => decodeStreamChunk(Uint8Array.of(1, 0, 0), 'test'))).toBe('MALFORMED');
    expect(codeOf(() => decodeStreamChunk(Uint8Array.of(7, 0, 0, 0, 0), 'test'))).toBe('MALFORMED');
    expect(codeOf(() => decodeStreamChunk(Uint8Array.of(2, 0, 0, 0, 0, 99), 'test'))).toBe('MALFORMED');
    expect(codeOf(() => decodeStreamChunk(Uint8Array.of(2, 0, 0, 0, 0, 0, 0xff), 'test'))).toBe('MALFORMED');
    expect(codeOf(() => decodeStreamChunk(Uint8Array.of(1, 0xff, 0xff, 0xff, 0xff), 'test'))).toBe(
      'TOO_LARGE',
    );
    expect(codeOf(() => decodeStreamChunk(new Uint8Array(5 + 64 * 1024 + 1).fill(1, 0, 1), 'test'))).toBe(
      'TOO_LARGE',
    );
  });
});

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs/promises';
import path from 'node:path';
import { decodeCanonical, encodeCanonical } from './cbor';
import { LABEL_KEY_CERTIFICATE } from './constants';
import { verifyKeyCertificate } from './KeyCertificate';
import {
  parseCoordinatorToProvider,
  parseCoordinatorToRequester,
  parseProviderToCoordinator,
  parseRequesterToCoordinator,
} from './messages/controlMessage';
import { PinStore } from './PinStore';
import { ProtocolError } from './ProtocolError';
import { verifyReceipt } from './Receipt';
import { ResponseStreamReader } from './ResponseStreamReader';
import { ResponseStreamWriter } from './ResponseStreamWriter';
import { sealRequest } from './sealRequest';
import { decodeStreamChunk, encodeStreamChunk } from './streamChunk';
import { parseSealedRequestHeader } from './SealedRequestHeader';
import { decodeSignedEnvelope, encodeSignedEnvelope } from './signedEnvelope';
import { verifyUsageRecord } from './UsageRecord';
import { createProtocolWorld, testContent } from './protocolTestKit';
import type { ProtocolWorld } from './protocolTestKit';

/** Runs `decode` and fails the property unless it returns or throws a ProtocolError. */
async function onlyProtocolErrors(decode: () => unknown): Promise<void> {
  try {
    await decode();
  } catch (error) {
    // A non-ProtocolError here is a decoder bug: it would escape callers' error handling.
    expect(error).toBeInstanceOf(ProtocolError);
  }
}

/** Random mutations of a valid input: bit flips, byte overwrites, truncation, insertion, deletion, duplication. */
function mutated(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  const position = fc.nat({ max: Math.max(0, valid.length - 1) });
  const mutation = fc.oneof(
    fc.tuple(fc.constant('flip' as const), position, fc.nat({ max: 7 })),
    fc.tuple(fc.constant('set' as const), position, fc.nat({ max: 255 })),
    fc.tuple(fc.constant('truncate' as const), position, fc.constant(0)),
    fc.tuple(fc.constant('insert' as const), position, fc.nat({ max: 255 })),
    fc.tuple(fc.constant('delete' as const), position, fc.constant(0)),
    fc.tuple(fc.constant('duplicate' as const), position, fc.nat({ max: 64 })),
  );
  return fc.array(mutation, { minLength: 1, maxLength: 4 }).map((mutations) => {
    let bytes = Uint8Array.from(valid);
    for (const [kind, at, value] of mutations) {
      const index = Math.min(at, Math.max(0, bytes.length - 1));
      switch (kind) {
        case 'flip':
          bytes[index] = (bytes[index] ?? 0) ^ (1 << value);
          break;
        case 'set':
          bytes[index] = value;
          break;
        case 'truncate':
          bytes = bytes.slice(0, index);
          break;
        case 'insert':
          bytes = Uint8Array.from([...bytes.subarray(0, index), value, ...bytes.subarray(index)]);
          break;
        case 'delete':
          bytes = Uint8Array.from([...bytes.subarray(0, index), ...bytes.subarray(index + 1)]);
          break;
        case 'duplicate':
          bytes = Uint8Array.from([
            ...bytes.subarray(0, index),
            ...bytes.subarray(index, index + value),
            ...bytes.subarray(index),
          ]);
          break;
      }
    }
    return bytes;
  });
}

/** CBOR-able values, including byte strings, for structure-aware mutation. */
const cborValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 80 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('decoder fuzzing: random and mutated input raises only ProtocolError (PROTOCOL.md §9)', () => {
  let world: ProtocolWorld;
  let certificate: Uint8Array;
  let frames: Uint8Array[];
  let streamHeader: Uint8Array;
  let receipt: Uint8Array;
  let usageRecord: Uint8Array;
  let sealed: Uint8Array;

  beforeAll(async () => {
    world = await createProtocolWorld();
    certificate = world.certificate.encoded;
    const pending = await sealRequest(world.certificate, testContent('fuzz me'), { now: world.clock.value });
    sealed = pending.sealedRequest;
    const opened = await world.keyring.openSealedRequest(sealed);
    const writer = await ResponseStreamWriter.create({
      request: opened,
      identity: world.identity,
      backend: 'cpu',
      appVersion: '0.1.0',
    });
    streamHeader = writer.header;
    frames = [writer.pushTokens(new TextEncoder().encode('tokens'))];
    const finished = writer.finish({ prompt: 1, completion: 1 });
    frames.push(finished.frame);
    receipt = finished.receipt;
    usageRecord = finished.usageRecord;
  });
  afterAll(async () => {
    await world.dispose();
  });

  const byteDecoders: Array<[string, () => Uint8Array, (bytes: Uint8Array) => unknown]> = [
    ['parseSealedRequestHeader', () => sealed, (bytes) => parseSealedRequestHeader(bytes)],
    ['ProviderKeyring.openSealedRequest', () => sealed, (bytes) => world.keyring.openSealedRequest(bytes)],
    [
      'verifyKeyCertificate',
      () => certificate,
      (bytes) => verifyKeyCertificate(bytes, { now: world.clock.value }),
    ],
    ['verifyReceipt', () => receipt, (bytes) => verifyReceipt(bytes, world.identity.publicKey)],
    ['verifyUsageRecord', () => usageRecord, (bytes) => verifyUsageRecord(bytes, world.identity.publicKey)],
    ['decodeCanonical', () => receipt, (bytes) => decodeCanonical(bytes, 4096, 'fuzz')],
    [
      'decodeStreamChunk',
      () => encodeStreamChunk({ t: 'error', seq: 3, code: 'TIMEOUT', message: 'slow' }),
      (bytes) => decodeStreamChunk(bytes, 'fuzz'),
    ],
    [
      'ResponseStreamReader.create',
      () => streamHeader,
      async (bytes) => {
        const pending = await sealRequest(world.certificate, testContent('x'), { now: world.clock.value });
        return ResponseStreamReader.create(pending, bytes);
      },
    ],
  ];

  it.each(byteDecoders)('%s: random bytes', async (_name, _valid, decode) => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), (bytes) => onlyProtocolErrors(() => decode(bytes))),
      {
        numRuns: 300,
      },
    );
  });

  it.each(byteDecoders)('%s: mutated valid input', async (_name, valid, decode) => {
    await fc.assert(
      fc.asyncProperty(mutated(valid()), (bytes) => onlyProtocolErrors(() => decode(bytes))),
      {
        numRuns: 300,
      },
    );
  });

  it('ResponseStreamReader.pull: random and mutated frames', async () => {
    const sources = fc.oneof(fc.uint8Array({ maxLength: 400 }), ...frames.map((frame) => mutated(frame)));
    await fc.assert(
      fc.asyncProperty(fc.array(sources, { minLength: 1, maxLength: 3 }), async (input) => {
        const pending = await sealRequest(world.certificate, testContent('x'), { now: world.clock.value });
        const reader = await ResponseStreamReader.create(pending, streamHeader);
        for (const frame of input) await onlyProtocolErrors(() => reader.pull(frame));
        await onlyProtocolErrors(() => reader.end());
      }),
      { numRuns: 200 },
    );
  });

  it('signed objects: any field replaced by any CBOR value, re-signed by the genuine identity', async () => {
    const envelope = decodeSignedEnvelope(certificate, 'fuzz');
    const body = envelope.body as Record<string, unknown>;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(body), 'extra'), cborValue, async (field, value) => {
        const bodyBytes = encodeCanonical({ ...body, [field]: value });
        const forged = encodeSignedEnvelope(bodyBytes, world.identity.sign(LABEL_KEY_CERTIFICATE, bodyBytes));
        await onlyProtocolErrors(() => verifyKeyCertificate(forged, { now: world.clock.value }));
      }),
      { numRuns: 300 },
    );
  });

  const textDecoders: Array<[string, (text: string) => unknown]> = [
    ['parseProviderToCoordinator', parseProviderToCoordinator],
    ['parseCoordinatorToProvider', parseCoordinatorToProvider],
    ['parseRequesterToCoordinator', parseRequesterToCoordinator],
    ['parseCoordinatorToRequester', parseCoordinatorToRequester],
  ];

  it.each(textDecoders)('%s: random strings and random JSON', async (_name, decode) => {
    const messageLike = fc.record(
      {
        v: fc.oneof(fc.constant(1), fc.jsonValue()),
        type: fc.string(),
        jobId: fc.string(),
        data: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.json(),
          messageLike.map((value) => JSON.stringify(value)),
        ),
        (text) => onlyProtocolErrors(() => decode(text)),
      ),
      { numRuns: 400 },
    );
  });

  it('PinStore.open: random file contents', async () => {
    const filePath = path.join(world.pinDir, 'fuzz-pins.json');
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json()), async (content) => {
        await fs.writeFile(filePath, content);
        await onlyProtocolErrors(() => PinStore.open({ filePath }));
      }),
      { numRuns: 100 },
    );
  });
});

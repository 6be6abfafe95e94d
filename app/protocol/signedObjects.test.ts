import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blake2b256 } from '../crypto/hash';
import { IdentityKeyPair } from '../crypto/IdentityKeyPair';
import { ProtocolError } from './ProtocolError';
import { verifyReceipt } from './Receipt';
import { ResponseStreamWriter } from './ResponseStreamWriter';
import { sealRequest } from './sealRequest';
import { verifyUsageRecord } from './UsageRecord';
import { createProtocolWorld, testContent } from './protocolTestKit';
import type { ProtocolWorld } from './protocolTestKit';

const PROMPT = 'CANARY-PROMPT-5d41402abc4b2a76';
const ANSWER = 'CANARY-ANSWER-7d793037a0760186';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return 'OK';
}

describe('receipts and usage records (PROTOCOL.md §6.3, §7)', () => {
  let world: ProtocolWorld;
  let receipt: Uint8Array;
  let usageRecord: Uint8Array;
  beforeAll(async () => {
    world = await createProtocolWorld();
    const pending = await sealRequest(world.certificate, testContent(PROMPT), { now: world.clock.value });
    const opened = await world.keyring.openSealedRequest(pending.sealedRequest);
    const writer = await ResponseStreamWriter.create({
      request: opened,
      identity: world.identity,
      backend: 'cpu',
      appVersion: '0.1.0',
    });
    writer.pushTokens(new TextEncoder().encode(ANSWER));
    ({ receipt, usageRecord } = writer.finish({ prompt: 1, completion: 1 }));
  });
  afterAll(async () => {
    await world.dispose();
  });

  it('verify only under the provider identity that signed them', async () => {
    const other = await IdentityKeyPair.generate();
    expect(await codeOf(verifyReceipt(receipt, world.identity.publicKey))).toBe('OK');
    expect(await codeOf(verifyUsageRecord(usageRecord, world.identity.publicKey))).toBe('OK');
    expect(await codeOf(verifyReceipt(receipt, other.publicKey))).toBe('BAD_SIGNATURE');
    expect(await codeOf(verifyUsageRecord(usageRecord, other.publicKey))).toBe('BAD_SIGNATURE');
    // Domain separation: a receipt is not a usage record and vice versa, even under the right key.
    expect(await codeOf(verifyUsageRecord(receipt, world.identity.publicKey))).not.toBe('OK');
    expect(await codeOf(verifyReceipt(usageRecord, world.identity.publicKey))).not.toBe('OK');
  });

  it('reject any single bit flip (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.nat(), async (isReceipt, bitSeed) => {
        const original = isReceipt ? receipt : usageRecord;
        const bit = bitSeed % (original.length * 8);
        const tampered = Uint8Array.from(original);
        tampered[bit >> 3] = (tampered[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        const verify = isReceipt ? verifyReceipt : verifyUsageRecord;
        expect(await codeOf(verify(tampered, world.identity.publicKey))).not.toBe('OK');
      }),
      { numRuns: 300 },
    );
  });

  it('carry no content: the usage record holds neither prompt nor answer nor their plain hashes', async () => {
    const record = await verifyUsageRecord(usageRecord, world.identity.publicKey);
    const bytes = Buffer.from(usageRecord);
    expect(bytes.includes(PROMPT)).toBe(false);
    expect(bytes.includes(ANSWER)).toBe(false);
    expect(bytes.includes(Buffer.from(blake2b256(new TextEncoder().encode(ANSWER))))).toBe(false);
    expect(bytes.includes(Buffer.from(blake2b256(new TextEncoder().encode(PROMPT))))).toBe(false);
    expect(Object.keys(record).sort()).toEqual(
      [
        'encoded',
        'finishedAt',
        'keyId',
        'model',
        'providerId',
        'requestId',
        'sealedRequestHash',
        'startedAt',
        'tokens',
        'transcriptCommitment',
        'v',
      ].sort(),
    );
  });
});

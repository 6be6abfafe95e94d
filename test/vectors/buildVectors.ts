import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { toBase64Url } from '../../app/crypto/base64url';
import { fromHex, toHex } from '../../app/crypto/bytes';
import { EpochKeyPair } from '../../app/crypto/EpochKeyPair';
import { blake2b256 } from '../../app/crypto/hash';
import { IdentityKeyPair } from '../../app/crypto/IdentityKeyPair';
import { getSodium } from '../../app/crypto/sodium';
import { PROTOCOL_VERSION, STREAM_CHUNK_BLOCK_BYTES } from '../../app/protocol/constants';
import { issueKeyCertificate, verifyKeyCertificate } from '../../app/protocol/KeyCertificate';
import { padmeLength, padToBlock, requestBucketFor } from '../../app/protocol/padding';
import type { PendingRequest } from '../../app/protocol/PendingRequest';
import { PinStore } from '../../app/protocol/PinStore';
import { ProviderKeyring } from '../../app/protocol/ProviderKeyring';
import { signReceipt } from '../../app/protocol/Receipt';
import type { ReceiptBody } from '../../app/protocol/Receipt';
import { deriveStreamKey } from '../../app/protocol/responseKeys';
import type { ModelRef, SamplingParams } from '../../app/protocol/schemas';
import { sealRequest } from '../../app/protocol/sealRequest';
import { encodeStreamChunk } from '../../app/protocol/streamChunk';
import { signUsageRecord } from '../../app/protocol/UsageRecord';

/**
 * Deterministic inputs and outputs of the known-answer vectors in test/vectors/*.json. `generate.ts` writes them;
 * `app/protocol/vectors.test.ts` rebuilds them and compares byte for byte. Everything here uses the
 * `dangerousTestOnly…` paths, so it only runs with VITEST set or NODE_ENV=test.
 */

const seed = (byte: number) => new Uint8Array(32).fill(byte);

export const VECTOR_INPUTS = {
  identitySeed: seed(0x11),
  epochSeed: seed(0x22),
  ephemeralSeed: seed(0x33),
  requestId: new Uint8Array(16).fill(0x44),
  responseKey: seed(0x55),
  now: Date.UTC(2026, 0, 1, 0, 0, 0),
  ttlMs: 120_000,
  model: { id: 'veil-test-model', sha256: seed(0x66) } satisfies ModelRef,
  sampling: { temperature: 0.7, topP: 0.9, topK: 40, maxTokens: 128, seed: 1234 } satisfies SamplingParams,
  prompt: 'Known-answer prompt: what is 2 + 2?',
  responseTexts: ['2 + 2', ' = 4.'],
  tokens: { prompt: 11, completion: 4 },
  startedAt: Date.UTC(2026, 0, 1, 0, 0, 1),
  finishedAt: Date.UTC(2026, 0, 1, 0, 0, 3),
};

export type Hex = string;

export interface KeysVector {
  identitySeed: Hex;
  identityPublicKey: Hex;
  providerId: Hex;
  providerIdBase64Url: string;
  epochSeed: Hex;
  epochPublicKey: Hex;
  keyId: Hex;
}

export interface CertificateVector {
  notBefore: number;
  notAfter: number;
  certificate: Hex;
}

export interface SealedRequestVector {
  now: number;
  ttlMs: number;
  requestId: Hex;
  responseKey: Hex;
  ephemeralSeed: Hex;
  prompt: string;
  bucket: number;
  outerHeader: Hex;
  sealedRequest: Hex;
  sealedRequestHash: Hex;
  innerRequestHash: Hex;
  streamKey: Hex;
}

export interface ResponseVector {
  receipt: Hex;
  usageRecord: Hex;
  transcriptCommitment: Hex;
  /** Padded chunk plaintexts, in order; the last is FINAL. */
  chunkPlaintexts: Hex[];
}

/** Encrypted frames: the secretstream header is random, so these are recorded once and checked by decryption. */
export interface StreamFramesVector {
  streamHeader: Hex;
  frames: Hex[];
}

export interface PaddingVector {
  cases: Array<{ length: number; padme: number; requestBucket: number | null }>;
}

export interface DeterministicVectors {
  keys: KeysVector;
  certificate: CertificateVector;
  sealedRequest: SealedRequestVector;
  response: ResponseVector;
  padding: PaddingVector;
}

export function hexToBytes(hex: string): Uint8Array {
  const bytes = fromHex(hex);
  if (bytes === undefined) throw new Error('hexToBytes: invalid hex in a vector file');
  return bytes;
}

/** Everything a vector consumer needs live: keys, the pinned world, the sealed request. */
export interface VectorWorld {
  identity: IdentityKeyPair;
  keyring: ProviderKeyring;
  pending: PendingRequest;
  dispose(): Promise<void>;
}

export async function buildVectorWorld(): Promise<VectorWorld> {
  await getSodium();
  const input = VECTOR_INPUTS;
  const identity = await IdentityKeyPair.generate({ dangerousTestOnlySeed: input.identitySeed });
  const keyring = await ProviderKeyring.create({
    identity,
    models: [input.model],
    backend: 'cpu',
    appVersion: '0.1.0',
    now: () => input.now,
    dangerousTestOnlyEpochSeeds: [input.epochSeed],
  });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'veil-vectors-'));
  const pins = await PinStore.open({ filePath: path.join(dir, 'pins.json'), now: () => input.now });
  const certificate = await pins.pin(await verifyKeyCertificate(await keyring.currentCertificate(), { now: input.now }));
  const pending = await sealRequest(
    certificate,
    { model: input.model, messages: [{ role: 'user', content: input.prompt }], sampling: input.sampling },
    {
      now: input.now,
      ttlMs: input.ttlMs,
      dangerousTestOnly: {
        requestId: input.requestId,
        responseKey: input.responseKey,
        ephemeralSeed: input.ephemeralSeed,
      },
    },
  );
  return {
    identity,
    keyring,
    pending,
    async dispose() {
      pending.dispose();
      keyring.dispose();
      identity.dispose();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** The receipt body the vector provider signs. */
export function vectorReceiptBody(world: VectorWorld): ReceiptBody {
  const input = VECTOR_INPUTS;
  const responseHash = blake2b256(new TextEncoder().encode(input.responseTexts.join('')));
  return {
    v: PROTOCOL_VERSION,
    requestId: world.pending.requestId,
    sealedRequestHash: world.pending.sealedRequestHash,
    responseHash,
    providerId: world.identity.providerId,
    keyId: world.pending.header.keyId,
    model: input.model,
    sampling: input.sampling,
    backend: 'cpu',
    appVersion: '0.1.0',
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    tokens: input.tokens,
  };
}

export async function buildDeterministicVectors(): Promise<DeterministicVectors> {
  const input = VECTOR_INPUTS;
  const world = await buildVectorWorld();
  try {
    const epoch = await EpochKeyPair.generate({ dangerousTestOnlySeed: input.epochSeed });
    const certificate = await issueKeyCertificate(world.identity, epoch, {
      notBefore: input.now,
      notAfter: input.now + 24 * 60 * 60 * 1000,
      models: [input.model],
      backend: 'cpu',
      appVersion: '0.1.0',
    });
    epoch.dispose();
    const { pending } = world;
    const streamKey = deriveStreamKey(input.responseKey, pending.sealedRequestHash);
    const receiptBody = vectorReceiptBody(world);
    const receipt = signReceipt(world.identity, receiptBody);
    const transcriptCommitment = pending.expectedTranscriptCommitment(receiptBody.responseHash);
    const usageRecord = signUsageRecord(world.identity, {
      v: PROTOCOL_VERSION,
      providerId: world.identity.providerId,
      keyId: pending.header.keyId,
      requestId: pending.requestId,
      sealedRequestHash: pending.sealedRequestHash,
      model: input.model,
      tokens: input.tokens,
      startedAt: input.startedAt,
      finishedAt: input.finishedAt,
      transcriptCommitment,
    });
    const chunkPlaintexts = [
      ...input.responseTexts.map((text, seq) =>
        padToBlock(encodeStreamChunk({ t: 'tokens', seq, text: new TextEncoder().encode(text) }), STREAM_CHUNK_BLOCK_BYTES),
      ),
      padToBlock(encodeStreamChunk({ t: 'final', seq: input.responseTexts.length, receipt }), STREAM_CHUNK_BLOCK_BYTES),
    ];
    const paddingLengths = [0, 1, 2, 100, 255, 256, 257, 1000, 1023, 1024, 1025, 9000, 65_535, 100_000, 1_048_575, 1_048_576];
    return {
      keys: {
        identitySeed: toHex(input.identitySeed),
        identityPublicKey: toHex(world.identity.publicKey),
        providerId: toHex(world.identity.providerId),
        providerIdBase64Url: toBase64Url(world.identity.providerId),
        epochSeed: toHex(input.epochSeed),
        epochPublicKey: toHex(world.pending.certificate.publicKey),
        keyId: toHex(world.pending.certificate.keyId),
      },
      certificate: {
        notBefore: input.now,
        notAfter: input.now + 24 * 60 * 60 * 1000,
        certificate: toHex(certificate),
      },
      sealedRequest: {
        now: input.now,
        ttlMs: input.ttlMs,
        requestId: toHex(input.requestId),
        responseKey: toHex(input.responseKey),
        ephemeralSeed: toHex(input.ephemeralSeed),
        prompt: input.prompt,
        bucket: pending.header.bucket,
        outerHeader: toHex(pending.sealedRequest.subarray(0, 62)),
        sealedRequest: toHex(pending.sealedRequest),
        sealedRequestHash: toHex(pending.sealedRequestHash),
        innerRequestHash: toHex(pending.innerRequestHash),
        streamKey: toHex(streamKey),
      },
      response: {
        receipt: toHex(receipt),
        usageRecord: toHex(usageRecord),
        transcriptCommitment: toHex(transcriptCommitment),
        chunkPlaintexts: chunkPlaintexts.map(toHex),
      },
      padding: {
        cases: paddingLengths.map((length) => ({
          length,
          padme: padmeLength(length),
          requestBucket: requestBucketFor(length) ?? null,
        })),
      },
    };
  } finally {
    await world.dispose();
  }
}

/** The file each vector group lives in. */
export const VECTOR_FILES = {
  keys: 'keys.json',
  certificate: 'key-certificate.json',
  sealedRequest: 'sealed-request.json',
  response: 'response.json',
  padding: 'padding.json',
  streamFrames: 'response-stream-frames.json',
} as const;

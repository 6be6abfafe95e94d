import fs from 'node:fs/promises';
import path from 'node:path';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { concatBytes } from '../crypto/bytes';
import { EpochKeyPair } from '../crypto/EpochKeyPair';
import { IdentityKeyPair } from '../crypto/IdentityKeyPair';
import { sealBox } from '../crypto/sealBox';
import { getSodium } from '../crypto/sodium';
import { TestOnlyOptionError } from '../crypto/testOnly';
import {
  buildDeterministicVectors,
  buildVectorWorld,
  hexToBytes,
  VECTOR_FILES,
  VECTOR_INPUTS,
} from '../../test/vectors/buildVectors';
import type { DeterministicVectors, StreamFramesVector } from '../../test/vectors/buildVectors';
import { decodeSignedEnvelope } from './signedEnvelope';
import { LABEL_KEY_CERTIFICATE } from './constants';
import { ResponseStreamReader } from './ResponseStreamReader';
import { sealRequest } from './sealRequest';
import { createProtocolWorld, testContent } from './protocolTestKit';

const vectorDirectory = path.join(import.meta.dirname, '..', '..', 'test', 'vectors');

async function readVector<T>(name: string): Promise<T> {
  return JSON.parse(await fs.readFile(path.join(vectorDirectory, name), 'utf8')) as T;
}

describe('known-answer vectors (test/vectors/*.json, PROTOCOL.md §10)', () => {
  let stored: DeterministicVectors;
  let frames: StreamFramesVector;
  beforeAll(async () => {
    await getSodium();
    stored = {
      keys: await readVector(VECTOR_FILES.keys),
      certificate: await readVector(VECTOR_FILES.certificate),
      sealedRequest: await readVector(VECTOR_FILES.sealedRequest),
      response: await readVector(VECTOR_FILES.response),
      padding: await readVector(VECTOR_FILES.padding),
    };
    frames = await readVector(VECTOR_FILES.streamFrames);
  });

  it('rebuilds every deterministic vector byte for byte', async () => {
    const rebuilt = await buildDeterministicVectors();
    expect(rebuilt.keys).toEqual(stored.keys);
    expect(rebuilt.certificate).toEqual(stored.certificate);
    expect(rebuilt.sealedRequest).toEqual(stored.sealedRequest);
    expect(rebuilt.response).toEqual(stored.response);
    expect(rebuilt.padding).toEqual(stored.padding);
  });

  it('agrees with an independent implementation on keys, ids, hashes and the certificate signature', () => {
    const { keys, certificate, sealedRequest } = stored;
    expect(ed25519.getPublicKey(hexToBytes(keys.identitySeed))).toEqual(hexToBytes(keys.identityPublicKey));
    expect(blake2b(hexToBytes(keys.identityPublicKey), { dkLen: 32 })).toEqual(hexToBytes(keys.providerId));
    // crypto_box_seed_keypair: secret = SHA-512(seed)[0..32].
    const epochSecret = sha512(hexToBytes(keys.epochSeed)).slice(0, 32);
    expect(x25519.getPublicKey(epochSecret)).toEqual(hexToBytes(keys.epochPublicKey));
    expect(blake2b(hexToBytes(keys.epochPublicKey), { dkLen: 32 }).slice(0, 16)).toEqual(
      hexToBytes(keys.keyId),
    );
    expect(blake2b(hexToBytes(sealedRequest.sealedRequest), { dkLen: 32 })).toEqual(
      hexToBytes(sealedRequest.sealedRequestHash),
    );
    expect(hexToBytes(sealedRequest.sealedRequest).subarray(0, 62)).toEqual(
      hexToBytes(sealedRequest.outerHeader),
    );
    const envelope = decodeSignedEnvelope(hexToBytes(certificate.certificate), 'vectors');
    const signed = concatBytes(
      new TextEncoder().encode(LABEL_KEY_CERTIFICATE),
      Uint8Array.of(0),
      envelope.bodyBytes,
    );
    expect(ed25519.verify(envelope.signature, signed, hexToBytes(keys.identityPublicKey))).toBe(true);
  });

  it('decrypts the recorded stream frames to the expected chunk plaintexts and tags', async () => {
    const sodium = await getSodium();
    const state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(
      hexToBytes(frames.streamHeader),
      hexToBytes(stored.sealedRequest.streamKey),
    );
    const pulled = frames.frames.map((frame) =>
      sodium.crypto_secretstream_xchacha20poly1305_pull(state, hexToBytes(frame), null),
    );
    expect(pulled.map((result) => (result === false ? 'failed' : result.tag))).toEqual([
      sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
      sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
      sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL,
    ]);
    expect(
      pulled.map((result) => (result === false ? '' : Buffer.from(result.message).toString('hex'))),
    ).toEqual(stored.response.chunkPlaintexts);
  });

  it('reads the recorded stream with ResponseStreamReader and verifies the vector receipt', async () => {
    const world = await buildVectorWorld();
    try {
      const reader = await ResponseStreamReader.create(world.pending, hexToBytes(frames.streamHeader));
      const texts: string[] = [];
      for (const frame of frames.frames) {
        const event = reader.pull(hexToBytes(frame));
        if (event.type === 'tokens') texts.push(new TextDecoder().decode(event.text));
      }
      const outcome = reader.end();
      expect(texts).toEqual(VECTOR_INPUTS.responseTexts);
      expect(outcome.type === 'final' ? Buffer.from(outcome.receipt.encoded).toString('hex') : '').toBe(
        stored.response.receipt,
      );
      const opened = await world.keyring.openSealedRequest(hexToBytes(stored.sealedRequest.sealedRequest));
      expect(opened.messages).toEqual([{ role: 'user', content: VECTOR_INPUTS.prompt }]);
    } finally {
      await world.dispose();
    }
  });
});

describe('dangerousTestOnly options outside tests', () => {
  const saved = { VITEST: process.env.VITEST, NODE_ENV: process.env.NODE_ENV };
  const restore = () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  afterEach(restore);

  it('throw instead of fixing keys, nonces or randomness', async () => {
    await getSodium();
    const world = await createProtocolWorld();
    try {
      process.env.VITEST = '';
      process.env.NODE_ENV = 'production';
      const seed = new Uint8Array(32);
      await expect(IdentityKeyPair.generate({ dangerousTestOnlySeed: seed })).rejects.toBeInstanceOf(
        TestOnlyOptionError,
      );
      await expect(EpochKeyPair.generate({ dangerousTestOnlySeed: seed })).rejects.toBeInstanceOf(
        TestOnlyOptionError,
      );
      expect(() =>
        sealBox(new Uint8Array(1), world.certificate.publicKey, { dangerousTestOnlyEphemeralSeed: seed }),
      ).toThrow(TestOnlyOptionError);
      await expect(
        sealRequest(world.certificate, testContent('x'), {
          now: world.clock.value,
          dangerousTestOnly: { requestId: new Uint8Array(16), responseKey: seed, ephemeralSeed: seed },
        }),
      ).rejects.toBeInstanceOf(TestOnlyOptionError);
    } finally {
      restore();
      await world.dispose();
    }
  });
});

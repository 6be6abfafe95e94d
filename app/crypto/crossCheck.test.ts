import { secretbox } from '@noble/ciphers/salsa.js';
import { hsalsa } from '@noble/ciphers/salsa.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { blake2b } from '@noble/hashes/blake2.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { deriveStreamKey, transcriptCommitment } from '../protocol/responseKeys';
import { LABEL_STREAM_KEY } from '../protocol/constants';
import { concatBytes } from './bytes';
import { EpochKeyPair, keyIdOf } from './EpochKeyPair';
import { blake2b256, IncrementalHash, keyedBlake2b256 } from './hash';
import { IdentityKeyPair, providerIdOf, signingInput, verifySignature } from './IdentityKeyPair';
import { sealBox } from './sealBox';
import { getSodium } from './sodium';

/** An independent crypto_box_seal_open built from @noble primitives (X25519, HSalsa20, XSalsa20-Poly1305, BLAKE2b). */
function nobleSealOpen(
  sealed: Uint8Array,
  recipientSecret: Uint8Array,
  recipientPublic: Uint8Array,
): Uint8Array {
  const ephemeralPublic = sealed.subarray(0, 32);
  const shared = x25519.getSharedSecret(recipientSecret, ephemeralPublic);
  const nonce = blake2b(concatBytes(ephemeralPublic, recipientPublic), { dkLen: 24 });
  return secretbox(boxKey(shared), nonce).open(sealed.subarray(32));
}

function nobleSeal(message: Uint8Array, recipientPublic: Uint8Array): Uint8Array {
  const ephemeralSecret = x25519.utils.randomSecretKey();
  const ephemeralPublic = x25519.getPublicKey(ephemeralSecret);
  const nonce = blake2b(concatBytes(ephemeralPublic, recipientPublic), { dkLen: 24 });
  const shared = x25519.getSharedSecret(ephemeralSecret, recipientPublic);
  return concatBytes(ephemeralPublic, secretbox(boxKey(shared), nonce).seal(message));
}

/** crypto_box_beforenm: HSalsa20(shared secret, zero nonce). */
function boxKey(shared: Uint8Array): Uint8Array {
  const sigma = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);
  const out = new Uint32Array(8);
  hsalsa(sigma, new Uint32Array(Uint8Array.from(shared).buffer), new Uint32Array(4), out);
  return new Uint8Array(out.buffer);
}

describe('primitives cross-checked against @noble (PROTOCOL.md §10)', () => {
  beforeAll(async () => {
    await getSodium();
  });

  it('opens crypto_box_seal and sealBox output (random and fixed ephemeral keys) with an independent implementation', async () => {
    const sodium = await getSodium();
    const recipient = sodium.crypto_box_keypair();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2048 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        async (message, seed) => {
          expect(
            nobleSealOpen(sealBox(message, recipient.publicKey), recipient.privateKey, recipient.publicKey),
          ).toEqual(message);
          const fixed = sealBox(message, recipient.publicKey, { dangerousTestOnlyEphemeralSeed: seed });
          expect(nobleSealOpen(fixed, recipient.privateKey, recipient.publicKey)).toEqual(message);
          expect(sodium.crypto_box_seal_open(fixed, recipient.publicKey, recipient.privateKey)).toEqual(
            message,
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it('opens @noble-sealed boxes with EpochKeyPair', async () => {
    const epoch = await EpochKeyPair.generate();
    const message = new TextEncoder().encode('sealed by someone else');
    expect(epoch.openSealed(nobleSeal(message, epoch.publicKey))).toEqual(message);
    const tampered = nobleSeal(message, epoch.publicKey);
    tampered[40] = (tampered[40] ?? 0) ^ 1;
    expect(epoch.openSealed(tampered)).toBeUndefined();
  });

  it('derives the same X25519 public key from a seeded secret as @noble', async () => {
    const sodium = await getSodium();
    const pair = sodium.crypto_box_seed_keypair(new Uint8Array(32).fill(5));
    expect(x25519.getPublicKey(pair.privateKey)).toEqual(pair.publicKey);
  });

  it('produces Ed25519 signatures identical to @noble, which verifies them', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 512 }),
        async (seed, body) => {
          const identity = await IdentityKeyPair.fromSeed(seed);
          expect(ed25519.getPublicKey(seed)).toEqual(identity.publicKey);
          const signature = identity.sign('veil/v1/receipt', body);
          const input = signingInput('veil/v1/receipt', body);
          expect(ed25519.sign(input, seed)).toEqual(signature);
          expect(ed25519.verify(signature, input, identity.publicKey)).toBe(true);
          const nobleSignature = ed25519.sign(input, seed);
          expect(verifySignature('veil/v1/receipt', body, nobleSignature, identity.publicKey)).toBe(true);
          expect(verifySignature('veil/v1/usage-record', body, nobleSignature, identity.publicKey)).toBe(
            false,
          );
        },
      ),
      { numRuns: 30 },
    );
  });

  it('matches @noble BLAKE2b for hashes, ids, stream keys and commitments', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 1024 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        async (data, key, hash) => {
          expect(blake2b256(data)).toEqual(blake2b(data, { dkLen: 32 }));
          expect(providerIdOf(key)).toEqual(blake2b(key, { dkLen: 32 }));
          expect(keyIdOf(key)).toEqual(blake2b(key, { dkLen: 32 }).slice(0, 16));
          const labelled = concatBytes(new TextEncoder().encode(LABEL_STREAM_KEY), Uint8Array.of(0), hash);
          expect(deriveStreamKey(key, hash)).toEqual(blake2b(labelled, { dkLen: 32, key }));
          expect(keyedBlake2b256(key, 'x', data)).toEqual(
            blake2b(concatBytes(Uint8Array.of(0x78, 0), data), { dkLen: 32, key }),
          );
          const incremental = new IncrementalHash();
          incremental.update(data.subarray(0, 10));
          incremental.update(data.subarray(10));
          expect(incremental.digest()).toEqual(blake2b(data, { dkLen: 32 }));
        },
      ),
      { numRuns: 60 },
    );
    const key = new Uint8Array(32).fill(1);
    const sealedHash = new Uint8Array(32).fill(2);
    const commitmentKey = blake2b(
      concatBytes(
        new TextEncoder().encode('veil/v1/transcript-commitment-key'),
        Uint8Array.of(0),
        sealedHash,
      ),
      { dkLen: 32, key },
    );
    const expected = blake2b(
      concatBytes(
        new TextEncoder().encode('veil/v1/transcript-commitment'),
        Uint8Array.of(0),
        new Uint8Array(64).fill(3),
      ),
      { dkLen: 32, key: commitmentKey },
    );
    expect(
      transcriptCommitment(key, sealedHash, new Uint8Array(32).fill(3), new Uint8Array(32).fill(3)),
    ).toEqual(expected);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from './base64url';
import { constantTimeEqual, wipe } from './bytes';
import { EpochKeyPair } from './EpochKeyPair';
import { IdentityKeyPair, verifySignature } from './IdentityKeyPair';
import { KeyPairDisposedError } from './KeyPairDisposedError';
import { getSodium } from './sodium';

function secretOf(pair: IdentityKeyPair | EpochKeyPair): Uint8Array {
  return (pair as unknown as { secretKey: Uint8Array }).secretKey;
}

describe('key pairs (PROTOCOL.md §3)', () => {
  beforeAll(async () => {
    await getSodium();
  });

  it('restores an identity from its exported seed, and wipes the secret on dispose', async () => {
    const identity = await IdentityKeyPair.generate();
    const seed = identity.exportSeed();
    const restored = await IdentityKeyPair.fromSeed(seed);
    expect(restored.publicKey).toEqual(identity.publicKey);
    expect(restored.providerId).toEqual(identity.providerId);
    const signature = restored.sign('veil/v1/receipt', Uint8Array.of(1, 2, 3));
    expect(verifySignature('veil/v1/receipt', Uint8Array.of(1, 2, 3), signature, identity.publicKey)).toBe(
      true,
    );
    expect(
      verifySignature('veil/v1/receipt', Uint8Array.of(1, 2, 3), new Uint8Array(10), identity.publicKey),
    ).toBe(false);

    identity.dispose();
    identity.dispose();
    expect(secretOf(identity).every((byte) => byte === 0)).toBe(true);
    expect(() => identity.sign('x', new Uint8Array())).toThrow(KeyPairDisposedError);
    expect(() => identity.exportSeed()).toThrow(KeyPairDisposedError);
    wipe(seed);
    expect(seed.every((byte) => byte === 0)).toBe(true);
    restored.dispose();
  });

  it('wipes an epoch secret on dispose and then refuses to open', async () => {
    const epoch = await EpochKeyPair.generate();
    const sodium = await getSodium();
    const sealed = sodium.crypto_box_seal(Uint8Array.of(42), epoch.publicKey);
    expect(epoch.openSealed(sealed)).toEqual(Uint8Array.of(42));
    expect(epoch.openSealed(sealed.subarray(0, 10))).toBeUndefined();
    epoch.dispose();
    expect(secretOf(epoch).every((byte) => byte === 0)).toBe(true);
    expect(epoch.isDisposed).toBe(true);
    expect(() => epoch.openSealed(sealed)).toThrow(KeyPairDisposedError);
  });

  it('compares in constant time and parses only canonical base64url', () => {
    expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(constantTimeEqual(Uint8Array.of(1), Uint8Array.of(1, 2))).toBe(false);
    const bytes = Uint8Array.of(0xfb, 0xff, 0x01);
    expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
    expect(fromBase64Url('+/8B')).toBeUndefined();
    expect(fromBase64Url('-_8B=')).toBeUndefined();
    expect(fromBase64Url('AB')).toBeUndefined(); // non-zero trailing bits: not the canonical form of any byte string
    expect(fromBase64Url('A')).toBeUndefined();
  });
});

import { ED25519_SEED_BYTES, ED25519_SIGNATURE_BYTES } from './constants';
import { concatBytes, copyBytes, wipe } from './bytes';
import { blake2b256 } from './hash';
import { KeyPairDisposedError } from './KeyPairDisposedError';
import { getSodium, sodiumSync } from './sodium';
import { assertTestOnly } from './testOnly';

/** Options of `IdentityKeyPair.generate`. */
export interface GenerateIdentityKeyPairOptions {
  /** Fixed seed for known-answer vectors; throws outside tests. Defaults to a fresh random seed. */
  readonly dangerousTestOnlySeed?: Uint8Array;
}

/**
 * The byte string an Ed25519 identity signs for a given purpose: `label ‖ 0x00 ‖ body`. Labels are never prefixes of
 * one another once the 0x00 is appended, so a signature for one purpose can never verify as another.
 */
export function signingInput(label: string, body: Uint8Array): Uint8Array {
  return concatBytes(new TextEncoder().encode(label), new Uint8Array([0]), body);
}

/** The provider id of an identity public key: BLAKE2b-256 of it, so an id can never be reassigned to another key. */
export function providerIdOf(identityPublicKey: Uint8Array): Uint8Array {
  return blake2b256(identityPublicKey);
}

/**
 * A provider's long-term Ed25519 identity. It signs key certificates, receipts and usage records, and nothing else;
 * it is never converted to an X25519 key (encryption uses separate epoch keys).
 */
export class IdentityKeyPair {
  public readonly publicKey: Uint8Array;
  public readonly providerId: Uint8Array;
  private readonly secretKey: Uint8Array;
  private disposed = false;

  private constructor(publicKey: Uint8Array, secretKey: Uint8Array) {
    this.publicKey = publicKey;
    this.secretKey = secretKey;
    this.providerId = providerIdOf(publicKey);
  }

  /** A fresh identity. */
  public static async generate(options: GenerateIdentityKeyPairOptions = {}): Promise<IdentityKeyPair> {
    const sodium = await getSodium();
    if (options.dangerousTestOnlySeed !== undefined) {
      assertTestOnly('IdentityKeyPair.generate');
      return IdentityKeyPair.fromSeed(options.dangerousTestOnlySeed);
    }
    const pair = sodium.crypto_sign_keypair();
    return new IdentityKeyPair(pair.publicKey, pair.privateKey);
  }

  /** Restores an identity from its stored 32-byte seed (the caller keeps and wipes its own copy). */
  public static async fromSeed(seed: Uint8Array): Promise<IdentityKeyPair> {
    const sodium = await getSodium();
    if (seed.length !== ED25519_SEED_BYTES) {
      throw new RangeError(`IdentityKeyPair.fromSeed: seed must be ${ED25519_SEED_BYTES} bytes`);
    }
    const pair = sodium.crypto_sign_seed_keypair(seed);
    return new IdentityKeyPair(pair.publicKey, pair.privateKey);
  }

  /** A copy of the 32-byte seed, for storage by the provider's key store. The caller wipes it. */
  public exportSeed(): Uint8Array {
    this.assertUsable('IdentityKeyPair.exportSeed');
    return copyBytes(this.secretKey.subarray(0, ED25519_SEED_BYTES));
  }

  /** Detached signature over `label ‖ 0x00 ‖ body`. */
  public sign(label: string, body: Uint8Array): Uint8Array {
    this.assertUsable('IdentityKeyPair.sign');
    const signature = sodiumSync('IdentityKeyPair.sign').crypto_sign_detached(
      signingInput(label, body),
      this.secretKey,
    );
    if (signature.length !== ED25519_SIGNATURE_BYTES)
      throw new RangeError('IdentityKeyPair.sign: bad signature length');
    return signature;
  }

  /** Wipes the secret key. Idempotent. */
  public dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    wipe(this.secretKey);
  }

  public get isDisposed(): boolean {
    return this.disposed;
  }

  private assertUsable(operation: string): void {
    if (this.disposed) throw new KeyPairDisposedError(`${operation}: identity key pair was disposed`);
  }
}

/** Verifies a detached signature made by `IdentityKeyPair.sign` with the same label. Never throws on bad input. */
export function verifySignature(
  label: string,
  body: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
  try {
    return sodiumSync('verifySignature').crypto_sign_verify_detached(
      signature,
      signingInput(label, body),
      publicKey,
    );
  } catch {
    return false;
  }
}

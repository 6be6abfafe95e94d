import { KEY_ID_BYTES, X25519_SEED_BYTES } from './constants';
import { wipe } from './bytes';
import { blake2b256 } from './hash';
import { KeyPairDisposedError } from './KeyPairDisposedError';
import { getSodium, sodiumSync } from './sodium';
import { assertTestOnly } from './testOnly';

/** Options of `EpochKeyPair.generate`. */
export interface GenerateEpochKeyPairOptions {
  /** Fixed seed for known-answer vectors; throws outside tests. Defaults to a fresh random key pair. */
  readonly dangerousTestOnlySeed?: Uint8Array;
}

/** The key id of an epoch public key: the first 16 bytes of its BLAKE2b-256. */
export function keyIdOf(epochPublicKey: Uint8Array): Uint8Array {
  return blake2b256(epochPublicKey).slice(0, KEY_ID_BYTES);
}

/**
 * A provider's X25519 epoch encryption key. Requests are sealed to it; it is rotated and its secret is wiped after a
 * grace window, which bounds how much recorded traffic one stolen key can open.
 */
export class EpochKeyPair {
  public readonly publicKey: Uint8Array;
  public readonly keyId: Uint8Array;
  private readonly secretKey: Uint8Array;
  private disposed = false;

  private constructor(publicKey: Uint8Array, secretKey: Uint8Array) {
    this.publicKey = publicKey;
    this.secretKey = secretKey;
    this.keyId = keyIdOf(publicKey);
  }

  public static async generate(options: GenerateEpochKeyPairOptions = {}): Promise<EpochKeyPair> {
    const sodium = await getSodium();
    if (options.dangerousTestOnlySeed !== undefined) {
      assertTestOnly('EpochKeyPair.generate');
      if (options.dangerousTestOnlySeed.length !== X25519_SEED_BYTES) {
        throw new RangeError(`EpochKeyPair.generate: seed must be ${X25519_SEED_BYTES} bytes`);
      }
      const seeded = sodium.crypto_box_seed_keypair(options.dangerousTestOnlySeed);
      return new EpochKeyPair(seeded.publicKey, seeded.privateKey);
    }
    const pair = sodium.crypto_box_keypair();
    return new EpochKeyPair(pair.publicKey, pair.privateKey);
  }

  /**
   * Opens a `crypto_box_seal` ciphertext. Returns undefined on any failure (wrong key, tampering, too short) so callers
   * raise one uniform error and learn nothing else.
   */
  public openSealed(ciphertext: Uint8Array): Uint8Array | undefined {
    this.assertUsable('EpochKeyPair.openSealed');
    try {
      return sodiumSync('EpochKeyPair.openSealed').crypto_box_seal_open(
        ciphertext,
        this.publicKey,
        this.secretKey,
      );
    } catch {
      return undefined;
    }
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
    if (this.disposed) throw new KeyPairDisposedError(`${operation}: epoch key pair was disposed`);
  }
}

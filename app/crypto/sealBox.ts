import { BOX_NONCE_BYTES, X25519_PUBLIC_KEY_BYTES, X25519_SEED_BYTES } from './constants';
import { concatBytes, wipe } from './bytes';
import { sodiumSync } from './sodium';
import { assertTestOnly } from './testOnly';

/** Options of `sealBox`. */
export interface SealBoxOptions {
  /**
   * Seed of the ephemeral X25519 key, for known-answer vectors; throws outside tests. Defaults to libsodium's own
   * `crypto_box_seal`, which draws a fresh ephemeral key.
   */
  readonly dangerousTestOnlyEphemeralSeed?: Uint8Array;
}

/**
 * `crypto_box_seal(message, recipientPublicKey)`. The test-only path rebuilds the same construction from its parts
 * (`epk ‖ crypto_box(m, nonce = BLAKE2b-192(epk ‖ pk), pk, esk)`) so the ephemeral key can be fixed; `crypto_box_seal_open`
 * opens both alike, which the vectors test checks.
 * Callers must have awaited `getSodium()`.
 */
export function sealBox(message: Uint8Array, recipientPublicKey: Uint8Array, options: SealBoxOptions = {}): Uint8Array {
  const sodium = sodiumSync('sealBox');
  if (recipientPublicKey.length !== X25519_PUBLIC_KEY_BYTES) {
    throw new RangeError(`sealBox: recipient key must be ${X25519_PUBLIC_KEY_BYTES} bytes`);
  }
  if (options.dangerousTestOnlyEphemeralSeed === undefined) {
    return sodium.crypto_box_seal(message, recipientPublicKey);
  }
  assertTestOnly('sealBox');
  if (options.dangerousTestOnlyEphemeralSeed.length !== X25519_SEED_BYTES) {
    throw new RangeError(`sealBox: ephemeral seed must be ${X25519_SEED_BYTES} bytes`);
  }
  const ephemeral = sodium.crypto_box_seed_keypair(options.dangerousTestOnlyEphemeralSeed);
  const nonce = sodium.crypto_generichash(BOX_NONCE_BYTES, concatBytes(ephemeral.publicKey, recipientPublicKey), null);
  const box = sodium.crypto_box_easy(message, nonce, recipientPublicKey, ephemeral.privateKey);
  wipe(ephemeral.privateKey);
  return concatBytes(ephemeral.publicKey, box);
}

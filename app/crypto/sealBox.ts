import { BOX_NONCE_BYTES, X25519_PUBLIC_KEY_BYTES, X25519_SEED_BYTES } from './constants';
import { concatBytes, wipe } from './bytes';
import { sodiumSync } from './sodium';
import { assertTestOnly } from './testOnly';

/** Options of `sealBox`. */
export interface SealBoxOptions {
  /** Seed of the ephemeral X25519 key, for known-answer vectors; throws outside tests. Defaults to a fresh random seed. */
  readonly dangerousTestOnlyEphemeralSeed?: Uint8Array;
}

/**
 * `crypto_box_seal(message, recipientPublicKey)`, built from its libsodium parts exactly as libsodium builds it:
 * `epk ‖ crypto_box_easy(m, nonce = BLAKE2b-192(epk ‖ pk), pk, esk)` with a fresh ephemeral key, whose secret is wiped.
 * `crypto_box_seal_open` (and an independent implementation, see crossCheck.test.ts) opens the result.
 *
 * Why not call `crypto_box_seal` directly: libsodium.js draws its randomness four bytes per JavaScript call, which is
 * about a tenth of a seal's cost; here the ephemeral key comes from one 32-byte seed from the platform CSPRNG
 * (WebCrypto) through `crypto_box_seed_keypair`, and the same path lets tests fix the seed.
 * Callers must have awaited `getSodium()`.
 */
export function sealBox(
  message: Uint8Array,
  recipientPublicKey: Uint8Array,
  options: SealBoxOptions = {},
): Uint8Array {
  const sodium = sodiumSync('sealBox');
  if (recipientPublicKey.length !== X25519_PUBLIC_KEY_BYTES) {
    throw new RangeError(`sealBox: recipient key must be ${X25519_PUBLIC_KEY_BYTES} bytes`);
  }
  let seed: Uint8Array;
  if (options.dangerousTestOnlyEphemeralSeed === undefined) {
    seed = crypto.getRandomValues(new Uint8Array(X25519_SEED_BYTES));
  } else {
    assertTestOnly('sealBox');
    if (options.dangerousTestOnlyEphemeralSeed.length !== X25519_SEED_BYTES) {
      throw new RangeError(`sealBox: ephemeral seed must be ${X25519_SEED_BYTES} bytes`);
    }
    seed = Uint8Array.from(options.dangerousTestOnlyEphemeralSeed);
  }
  const ephemeral = sodium.crypto_box_seed_keypair(seed);
  wipe(seed);
  try {
    const nonce = sodium.crypto_generichash(
      BOX_NONCE_BYTES,
      concatBytes(ephemeral.publicKey, recipientPublicKey),
      null,
    );
    return concatBytes(
      ephemeral.publicKey,
      sodium.crypto_box_easy(message, nonce, recipientPublicKey, ephemeral.privateKey),
    );
  } finally {
    wipe(ephemeral.privateKey);
  }
}

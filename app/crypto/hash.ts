import type { StateAddress } from 'libsodium-wrappers';
import { HASH_BYTES } from './constants';
import { concatBytes } from './bytes';
import { sodiumSync } from './sodium';

/** BLAKE2b-256 of `data` (request hashes, response hashes, provider ids). */
export function blake2b256(data: Uint8Array): Uint8Array {
  return sodiumSync('blake2b256').crypto_generichash(HASH_BYTES, data, null);
}

/**
 * Keyed BLAKE2b-256 with a domain label: `BLAKE2b-256(key, label ‖ 0x00 ‖ data)`. Used as the KDF for stream and
 * commitment keys and as the MAC of transcript commitments; the label keeps each purpose's outputs unrelated.
 */
export function keyedBlake2b256(key: Uint8Array, label: string, data: Uint8Array): Uint8Array {
  const message = concatBytes(new TextEncoder().encode(label), new Uint8Array([0]), data);
  return sodiumSync('keyedBlake2b256').crypto_generichash(HASH_BYTES, message, key);
}

/** Incremental BLAKE2b-256 over a response that arrives in pieces. */
export class IncrementalHash {
  private readonly state: StateAddress;
  private finished = false;

  public constructor() {
    this.state = sodiumSync('IncrementalHash').crypto_generichash_init(null, HASH_BYTES);
  }

  public update(data: Uint8Array): void {
    if (this.finished) throw new TypeError('IncrementalHash.update: hash already finished');
    sodiumSync('IncrementalHash.update').crypto_generichash_update(this.state, data);
  }

  /** The digest; the hash cannot be updated afterwards. */
  public digest(): Uint8Array {
    if (this.finished) throw new TypeError('IncrementalHash.digest: hash already finished');
    this.finished = true;
    return sodiumSync('IncrementalHash.digest').crypto_generichash_final(this.state, HASH_BYTES);
  }

  /** Releases the hash state without a result (finishing is what frees libsodium's state). Idempotent. */
  public dispose(): void {
    if (this.finished) return;
    this.digest().fill(0);
  }
}

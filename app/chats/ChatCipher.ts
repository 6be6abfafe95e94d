import sodium from 'libsodium-wrappers';
import { CHAT_KEY_BYTES } from './ChatKeyProvider';
import { ChatKeyMismatchError, ChatStoreDisposedError } from './chatStoreErrors';

/** XChaCha20-Poly1305 nonce length (`crypto_aead_xchacha20poly1305_ietf_NPUBBYTES`). */
export const RECORD_NONCE_BYTES = 24;
/** Poly1305 tag length (`crypto_aead_xchacha20poly1305_ietf_ABYTES`). */
export const RECORD_TAG_BYTES = 16;
/** Length of the key check value stored in the header (BLAKE2b-256). */
export const KEY_CHECK_BYTES = 32;
/** `crypto_kdf` context: exactly 8 bytes. */
const KDF_CONTEXT = 'veilchat';
/** Subkey ids: one key per purpose, so the value in the plaintext header reveals nothing about the record key. */
const RECORD_SUBKEY_ID = 1;
const CHECK_SUBKEY_ID = 2;
const KEY_CHECK_LABEL = new TextEncoder().encode('veil chat store key check v1');

/**
 * The store's symmetric crypto, keyed once from the master key (which it wipes). Records are sealed with
 * XChaCha20-Poly1305 under a random nonce; the key check is a keyed BLAKE2b over the store id, so a wrong key is
 * caught before any record is read or any byte is written.
 */
export class ChatCipher {
  private recordKey: Uint8Array | undefined;
  private checkKey: Uint8Array | undefined;

  private constructor(recordKey: Uint8Array, checkKey: Uint8Array) {
    this.recordKey = recordKey;
    this.checkKey = checkKey;
  }

  /** Derives the subkeys and wipes `masterKey`. Throws `ChatKeyMismatchError` when it is not 32 bytes. */
  public static async fromMasterKey(masterKey: Uint8Array): Promise<ChatCipher> {
    await sodium.ready;
    try {
      if (masterKey.length !== CHAT_KEY_BYTES) {
        throw new ChatKeyMismatchError(
          `openChatStore: the key provider returned ${masterKey.length} bytes, expected ${CHAT_KEY_BYTES}; nothing was changed`,
        );
      }
      return new ChatCipher(
        sodium.crypto_kdf_derive_from_key(CHAT_KEY_BYTES, RECORD_SUBKEY_ID, KDF_CONTEXT, masterKey),
        sodium.crypto_kdf_derive_from_key(CHAT_KEY_BYTES, CHECK_SUBKEY_ID, KDF_CONTEXT, masterKey),
      );
    } finally {
      sodium.memzero(masterKey);
    }
  }

  /** The value stored in `store.json` to recognise the right key. */
  public keyCheck(storeId: Uint8Array): Uint8Array {
    const input = concatBytes(KEY_CHECK_LABEL, storeId);
    return sodium.crypto_generichash(KEY_CHECK_BYTES, input, this.requireKeys().checkKey);
  }

  /** Constant-time comparison against the stored key check value. */
  public matchesKeyCheck(storeId: Uint8Array, expected: Uint8Array): boolean {
    const actual = this.keyCheck(storeId);
    return actual.length === expected.length && sodium.memcmp(actual, expected);
  }

  /** `nonce ‖ ciphertext`. The caller wipes `plaintext`. */
  public seal(plaintext: Uint8Array, additionalData: Uint8Array): Uint8Array {
    const nonce = sodium.randombytes_buf(RECORD_NONCE_BYTES);
    const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
      plaintext,
      additionalData,
      null,
      nonce,
      this.requireKeys().recordKey,
    );
    return concatBytes(nonce, ciphertext);
  }

  /** The plaintext (caller wipes it), or undefined when authentication fails. */
  public open(sealed: Uint8Array, additionalData: Uint8Array): Uint8Array | undefined {
    const { recordKey } = this.requireKeys();
    if (sealed.length < RECORD_NONCE_BYTES + RECORD_TAG_BYTES) return undefined;
    try {
      return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
        null,
        sealed.subarray(RECORD_NONCE_BYTES),
        additionalData,
        sealed.subarray(0, RECORD_NONCE_BYTES),
        recordKey,
      );
    } catch {
      // libsodium throws on a failed tag check; to the log reader that is data, not an exception.
      return undefined;
    }
  }

  /** Wipes the keys. Idempotent. */
  public dispose(): void {
    if (this.recordKey !== undefined) sodium.memzero(this.recordKey);
    if (this.checkKey !== undefined) sodium.memzero(this.checkKey);
    this.recordKey = undefined;
    this.checkKey = undefined;
  }

  private requireKeys(): { recordKey: Uint8Array; checkKey: Uint8Array } {
    if (this.recordKey === undefined || this.checkKey === undefined) {
      throw new ChatStoreDisposedError('ChatCipher: used after dispose');
    }
    return { recordKey: this.recordKey, checkKey: this.checkKey };
  }
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

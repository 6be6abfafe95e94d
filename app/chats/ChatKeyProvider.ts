/** Length of the chat store's master key, in bytes. */
export const CHAT_KEY_BYTES = 32;

/** How a chat store's master key is kept. Recorded in the store header so a mismatched provider is caught early. */
export type ChatKeyKind = 'keyFile' | 'passphrase' | 'safeStorage';

/** Argon2id parameters of a passphrase-protected store, recorded in its header. */
export interface Argon2idParams {
  readonly algorithm: 'argon2id13';
  /** Random salt, `crypto_pwhash_SALTBYTES` (16) bytes. */
  readonly salt: Uint8Array;
  readonly opsLimit: number;
  readonly memLimit: number;
}

/** What the store tells a provider when it asks for the key. */
export interface ChatKeyRequest {
  /**
   * Present when the store already exists: its recorded key kind and, for a passphrase store, its KDF parameters.
   * Absent when a new store is being created, which is the only time a provider may make up a new key.
   */
  readonly existing?: { readonly kind: ChatKeyKind; readonly kdf?: Argon2idParams };
}

/** The key handed to the store. The store owns `key` from here on and wipes it when it is done with it. */
export interface ChatKeyGrant {
  /** The 32-byte master key. */
  readonly key: Uint8Array;
  /** KDF parameters to record in a new store's header (passphrase providers only). */
  readonly kdf?: Argon2idParams;
}

/** What the UI may show about where the key lives. */
export interface ChatKeyDescription {
  readonly kind: ChatKeyKind;
  /** False when the key is effectively stored in the clear (Linux `basic_text` keychain fallback). */
  readonly protected: boolean;
  /** A sentence for the user when `protected` is false or something else deserves attention. */
  readonly warning?: string;
}

/**
 * Supplies the chat store's master key. `getKey` takes a request rather than nothing (as first sketched) because a
 * passphrase provider needs the salt and limits stored in the header, and every provider must know whether the
 * store already exists, so it never invents a fresh key for a store full of data.
 *
 * Headless providers live here: `KeyFileChatKeyProvider` and `PassphraseChatKeyProvider`. The Electron main process
 * supplies a keychain-backed one (main/ is Electron glue, app/ never imports electron). How it should work:
 * - Keep a wrapped data key beside the store, e.g. `<keys>/chat-store.safestorage` (mode 0600).
 * - New store (`request.existing` undefined): `randombytes_buf(CHAT_KEY_BYTES)` → base64 →
 *   `await safeStorage.encryptStringAsync(b64)` → write the returned Buffer with an exclusive create + fsync.
 * - Existing store: read the file; if missing throw `ChatKeyMissingError` (never create a new key for an existing
 *   store); `const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(buf)`; decode the base64;
 *   when `shouldReEncrypt` is true, re-wrap with `encryptStringAsync` and replace the file atomically.
 * - Check `await safeStorage.isAsyncEncryptionAvailable()` first (only after `app` is ready).
 * - `describe()`: on Linux, `safeStorage.getSelectedStorageBackend() === 'basic_text'` means the wrapping key is a
 *   hard-coded password, so return `{ kind: 'safeStorage', protected: false, warning: 'No system keyring was found,
 *   so the chat key is stored unprotected; set a passphrase to protect your chats.' }`. Other backends →
 *   `protected: true`.
 * - The sync `encryptString`/`decryptString` are deprecated in Electron 45; use only the async API.
 */
export interface ChatKeyProvider {
  getKey(request: ChatKeyRequest): Promise<ChatKeyGrant>;
  describe(): ChatKeyDescription;
}

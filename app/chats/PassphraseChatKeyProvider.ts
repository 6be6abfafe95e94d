import type {
  Argon2idParams,
  ChatKeyDescription,
  ChatKeyGrant,
  ChatKeyProvider,
  ChatKeyRequest,
} from './ChatKeyProvider';
import { CHAT_KEY_BYTES } from './ChatKeyProvider';
import { ChatInputError, ChatKeyMismatchError, ChatStoreError } from './chatStoreErrors';
import { deriveKeyArgon2id } from './deriveKeyArgon2id';

/** libsodium `crypto_pwhash_SALTBYTES`. */
export const ARGON2ID_SALT_BYTES = 16;

/**
 * libsodium's MODERATE limits (3 passes, 256 MiB). Measured on the 2-core dev VM: about 1.0–1.1 s per derivation
 * (INTERACTIVE, 2 passes over 64 MiB, took 0.11–0.2 s). The key guards a whole chat history against offline
 * guessing of a stolen disk, and is derived once per unlock, so a second of wait buys four times the memory cost
 * per guess. The hash runs in a worker, so the 256 MiB are returned when it ends.
 */
export const ARGON2ID_MODERATE = { opsLimit: 3, memLimit: 256 * 1024 * 1024 } as const;

/** libsodium's INTERACTIVE limits (2 passes, 64 MiB), for tests and machines that cannot spare 256 MiB. */
export const ARGON2ID_INTERACTIVE = { opsLimit: 2, memLimit: 64 * 1024 * 1024 } as const;

/** Bounds accepted from a store header, so a tampered header cannot make us hash for hours or allocate gigabytes. */
export const ARGON2ID_BOUNDS = {
  minOps: 1,
  maxOps: 16,
  minMem: 8 * 1024,
  maxMem: 1024 * 1024 * 1024,
} as const;

export interface PassphraseChatKeyProviderOptions {
  /** The passphrase. Encoded to UTF-8 bytes at once; the bytes are wiped after the first `getKey`. No default. */
  readonly passphrase: string;
  /** Argon2id cost for a NEW store; an existing store always uses the limits in its header. Defaults to MODERATE. */
  readonly limits?: { readonly opsLimit: number; readonly memLimit: number };
}

/**
 * Derives the master key from a passphrase with Argon2id and a random per-store salt kept in the store header.
 * Single use: the passphrase bytes are wiped after one `getKey`, so make a new provider for each unlock attempt.
 */
export class PassphraseChatKeyProvider implements ChatKeyProvider {
  private passphrase: Uint8Array | undefined;
  private readonly limits: { readonly opsLimit: number; readonly memLimit: number };

  public constructor(options: PassphraseChatKeyProviderOptions) {
    if (options.passphrase.length === 0)
      throw new ChatInputError('PassphraseChatKeyProvider: the passphrase is empty');
    this.passphrase = new TextEncoder().encode(options.passphrase.normalize('NFC'));
    this.limits = options.limits ?? ARGON2ID_MODERATE;
  }

  public describe(): ChatKeyDescription {
    return { kind: 'passphrase', protected: true };
  }

  public async getKey(request: ChatKeyRequest): Promise<ChatKeyGrant> {
    const passphrase = this.passphrase;
    if (passphrase === undefined) {
      throw new ChatStoreError(
        'PassphraseChatKeyProvider: already used; create a new provider for each unlock',
      );
    }
    this.passphrase = undefined;
    try {
      const kdf = request.existing === undefined ? this.newParams() : request.existing.kdf;
      if (kdf === undefined) {
        throw new ChatKeyMismatchError(
          'openChatStore: this chat store is not protected by a passphrase; nothing was changed',
        );
      }
      checkBounds(kdf);
      const key = await deriveKeyArgon2id({
        passphrase,
        salt: kdf.salt,
        opsLimit: kdf.opsLimit,
        memLimit: kdf.memLimit,
        keyBytes: CHAT_KEY_BYTES,
      });
      return request.existing === undefined ? { key, kdf } : { key };
    } finally {
      passphrase.fill(0);
    }
  }

  private newParams(): Argon2idParams {
    return {
      algorithm: 'argon2id13',
      salt: crypto.getRandomValues(new Uint8Array(ARGON2ID_SALT_BYTES)),
      opsLimit: this.limits.opsLimit,
      memLimit: this.limits.memLimit,
    };
  }
}

function checkBounds(kdf: Argon2idParams): void {
  const { minOps, maxOps, minMem, maxMem } = ARGON2ID_BOUNDS;
  if (
    kdf.salt.length !== ARGON2ID_SALT_BYTES ||
    kdf.opsLimit < minOps ||
    kdf.opsLimit > maxOps ||
    kdf.memLimit < minMem ||
    kdf.memLimit > maxMem
  ) {
    throw new ChatStoreError('openChatStore: the passphrase parameters in store.json are out of range');
  }
}

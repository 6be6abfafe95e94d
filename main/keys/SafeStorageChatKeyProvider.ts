import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { SafeStorage } from 'electron';
import { z } from 'zod';
import {
  CHAT_KEY_BYTES,
  type ChatKeyDescription,
  type ChatKeyGrant,
  type ChatKeyProvider,
  type ChatKeyRequest,
} from '../../app/chats/ChatKeyProvider';
import { ChatKeyFileError, ChatKeyMissingError } from '../../app/chats/chatStoreErrors';
import { isErrnoException } from '../../app/util/isErrnoException';
import { fsyncDirectory, writeFileAtomic } from '../../app/util/writeFileAtomic';
import { KeychainUnavailableError } from './KeychainUnavailableError';

/**
 * The part of Electron's `safeStorage` the provider uses: the asynchronous API (Electron 45 deprecates the
 * synchronous calls).
 */
export type SafeStorageLike = Pick<
  SafeStorage,
  'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'
>;

export interface SafeStorageChatKeyProviderOptions {
  /** The wrapped key file, `<home>/keys/chat-key.safe`. No default. */
  readonly wrappedKeyPath: string;
  /** Electron's `safeStorage`; usable only after `app` is ready. */
  readonly safeStorage: SafeStorageLike;
  /** Platform whose keychain rules apply. Defaults to `process.platform`. */
  readonly platform?: NodeJS.Platform;
}

/** Largest wrapped key file accepted; a real one is well under 200 bytes. */
const MAX_WRAPPED_KEY_BYTES = 4096;
/** Wrapped key files are readable and writable by their owner only. */
const WRAPPED_KEY_FILE_MODE = 0o600;
/** The keys folder is private to its owner. */
const KEY_DIR_MODE = 0o700;
/** safeStorage wraps strings, so the key travels as standard base64 of exactly CHAT_KEY_BYTES bytes. */
const WrappedKeyText = z.string().regex(/^[A-Za-z0-9+/]{43}=$/);

/** Shown when Linux has no keyring and Chromium falls back to a hard-coded password. */
export const BASIC_TEXT_WARNING =
  'No system keyring was found, so the chat key is stored unprotected; set a passphrase to protect your chats.';

/**
 * The chat store's master key, kept as a random 32-byte data key wrapped by the operating system's keychain through
 * Electron's `safeStorage` (Keychain on macOS, DPAPI on Windows, libsecret or KWallet on Linux). A key is created
 * only for a new store; for an existing store a missing wrapped key is an error, never a reason to make up a new one.
 */
export class SafeStorageChatKeyProvider implements ChatKeyProvider {
  private readonly wrappedKeyPath: string;
  private readonly safeStorage: SafeStorageLike;
  private readonly platform: NodeJS.Platform;

  public constructor(options: SafeStorageChatKeyProviderOptions) {
    this.wrappedKeyPath = options.wrappedKeyPath;
    this.safeStorage = options.safeStorage;
    this.platform = options.platform ?? process.platform;
  }

  public describe(): ChatKeyDescription {
    if (this.platform !== 'linux') return { kind: 'safeStorage', protected: true };
    const backend = this.safeStorage.getSelectedStorageBackend();
    switch (backend) {
      case 'basic_text':
        return { kind: 'safeStorage', protected: false, warning: BASIC_TEXT_WARNING };
      case 'unknown':
        // Only before `ready`; say nothing reassuring until the backend is known.
        return {
          kind: 'safeStorage',
          protected: false,
          warning: 'The system keyring has not been checked yet.',
        };
      default:
        return { kind: 'safeStorage', protected: true };
    }
  }

  public async getKey(request: ChatKeyRequest): Promise<ChatKeyGrant> {
    if (!(await this.safeStorage.isAsyncEncryptionAvailable())) {
      throw new KeychainUnavailableError(
        'openChatStore: the system keychain is not available, so the chat key cannot be unlocked; try again after logging in to your desktop session, or use a passphrase.',
      );
    }
    const wrapped = await this.readWrappedKey();
    if (wrapped !== undefined) return { key: await this.unwrap(wrapped) };
    if (request.existing !== undefined) {
      throw new ChatKeyMissingError(
        `openChatStore: the wrapped chat key ${this.wrappedKeyPath} is missing but the chat store already holds data; restore it (a new key would not open the store). Nothing was changed.`,
      );
    }
    return { key: await this.createWrappedKey() };
  }

  /** The wrapped key, or undefined when there is no file. */
  private async readWrappedKey(): Promise<Buffer | undefined> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.wrappedKeyPath, 'r');
    } catch (error) {
      if (isErrnoException(error) && error.code === 'ENOENT') return undefined;
      throw new ChatKeyFileError(`openChatStore: cannot open the wrapped chat key ${this.wrappedKeyPath}`, {
        cause: error,
      });
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile() || stats.size === 0 || stats.size > MAX_WRAPPED_KEY_BYTES) {
        throw new ChatKeyFileError(
          `openChatStore: the wrapped chat key ${this.wrappedKeyPath} is not a file of 1 to ${MAX_WRAPPED_KEY_BYTES} bytes`,
        );
      }
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  }

  private async unwrap(wrapped: Buffer): Promise<Uint8Array> {
    let text: string;
    let shouldReEncrypt: boolean;
    try {
      ({ result: text, shouldReEncrypt } = await this.safeStorage.decryptStringAsync(wrapped));
    } catch (error) {
      throw new ChatKeyFileError(
        `openChatStore: the system keychain cannot unwrap ${this.wrappedKeyPath} (was it made by another user or on another machine?)`,
        { cause: error },
      );
    }
    if (!WrappedKeyText.safeParse(text).success) {
      throw new ChatKeyFileError(
        `openChatStore: ${this.wrappedKeyPath} does not hold a ${CHAT_KEY_BYTES}-byte key`,
      );
    }
    const decoded = Buffer.from(text, 'base64');
    const key = new Uint8Array(decoded);
    decoded.fill(0);
    // The keychain rotated its own key: wrap ours again so the old wrapping can be retired.
    if (shouldReEncrypt) await this.rewrap(text);
    return key;
  }

  private async rewrap(keyText: string): Promise<void> {
    // Atomic, so a crash leaves the old or the new wrapping; the file is owner-only (0600) like the first one.
    await writeFileAtomic(this.wrappedKeyPath, await this.safeStorage.encryptStringAsync(keyText));
  }

  private async createWrappedKey(): Promise<Uint8Array> {
    const dir = path.dirname(this.wrappedKeyPath);
    await fs.mkdir(dir, { recursive: true, mode: KEY_DIR_MODE });
    const random = randomBytes(CHAT_KEY_BYTES);
    const key = new Uint8Array(random);
    // The base64 string cannot be wiped (JS strings are immutable); it lives only until collected.
    const wrapped = await this.safeStorage.encryptStringAsync(random.toString('base64'));
    random.fill(0);
    // 'wx' fails if another process created the file meanwhile, so two first runs can never hand out two keys.
    const handle = await fs.open(this.wrappedKeyPath, 'wx', WRAPPED_KEY_FILE_MODE);
    try {
      await handle.writeFile(wrapped);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await fs.rm(this.wrappedKeyPath, { force: true });
      key.fill(0);
      throw new ChatKeyFileError(`openChatStore: cannot write the wrapped chat key ${this.wrappedKeyPath}`, {
        cause: error,
      });
    }
    await handle.close();
    await fsyncDirectory(dir);
    return key;
  }
}

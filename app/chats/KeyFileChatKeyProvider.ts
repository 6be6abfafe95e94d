import fs from 'node:fs/promises';
import path from 'node:path';
import { isErrnoException } from '../util/isErrnoException';
import { fsyncDirectory } from '../util/writeFileAtomic';
import type { ChatKeyDescription, ChatKeyGrant, ChatKeyProvider, ChatKeyRequest } from './ChatKeyProvider';
import { CHAT_KEY_BYTES } from './ChatKeyProvider';
import { ChatKeyFileError, ChatKeyMissingError } from './chatStoreErrors';

/** Permission bits for group and others; any of them set on a key file means someone else may read it. */
const GROUP_OTHER_PERMISSION_BITS = 0o077;
/** Key files are readable and writable by their owner only. */
const KEY_FILE_MODE = 0o600;
/** The folder holding key files is private to its owner. */
const KEY_DIR_MODE = 0o700;

export interface KeyFileChatKeyProviderOptions {
  /** Path of the raw 32-byte key file, e.g. `getVeilPaths().chatKeyFile`. No default. */
  readonly keyFilePath: string;
  /** Platform whose permission rules apply. Defaults to `process.platform`. */
  readonly platform?: NodeJS.Platform;
}

/**
 * The headless key: 32 random bytes in a file only its owner can read. Created (exclusively, fsynced) only when the
 * store itself is new; an existing store with no key file is an error, never a reason to make up a new key.
 */
export class KeyFileChatKeyProvider implements ChatKeyProvider {
  private readonly keyFilePath: string;
  private readonly platform: NodeJS.Platform;

  public constructor(options: KeyFileChatKeyProviderOptions) {
    this.keyFilePath = options.keyFilePath;
    this.platform = options.platform ?? process.platform;
  }

  public describe(): ChatKeyDescription {
    return this.platform === 'win32'
      ? {
          kind: 'keyFile',
          protected: false,
          warning:
            'The chat key is a file in your profile; anyone who can read your files can read your chats.',
        }
      : {
          kind: 'keyFile',
          protected: false,
          warning:
            'The chat key is a file readable only by your user; anyone with access to your account can read your chats.',
        };
  }

  public async getKey(request: ChatKeyRequest): Promise<ChatKeyGrant> {
    const existingKey = await this.readKeyFile();
    if (existingKey !== undefined) return { key: existingKey };
    if (request.existing !== undefined) {
      throw new ChatKeyMissingError(
        `openChatStore: the key file ${this.keyFilePath} is missing but the chat store already holds data; restore the key file (a new key would not open it). Nothing was changed.`,
      );
    }
    return { key: await this.createKeyFile() };
  }

  /** The key, or undefined when there is no key file. */
  private async readKeyFile(): Promise<Uint8Array | undefined> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.keyFilePath, 'r');
    } catch (error) {
      if (isErrnoException(error) && error.code === 'ENOENT') return undefined;
      throw new ChatKeyFileError(`openChatStore: cannot open the key file ${this.keyFilePath}`, {
        cause: error,
      });
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile())
        throw new ChatKeyFileError(`openChatStore: the key file ${this.keyFilePath} is not a regular file`);
      if (this.platform !== 'win32' && (stats.mode & GROUP_OTHER_PERMISSION_BITS) !== 0) {
        throw new ChatKeyFileError(
          `openChatStore: the key file ${this.keyFilePath} is readable by other users (mode ${(stats.mode & 0o777).toString(8)}); refusing to use it. Run \`chmod 600\` on it if it was never exposed, otherwise treat the key as leaked.`,
        );
      }
      if (stats.size !== CHAT_KEY_BYTES) {
        throw new ChatKeyFileError(
          `openChatStore: the key file ${this.keyFilePath} has ${stats.size} bytes, expected ${CHAT_KEY_BYTES}`,
        );
      }
      const key = new Uint8Array(CHAT_KEY_BYTES);
      const { bytesRead } = await handle.read(key, 0, CHAT_KEY_BYTES, 0);
      if (bytesRead !== CHAT_KEY_BYTES) {
        throw new ChatKeyFileError(
          `openChatStore: the key file ${this.keyFilePath} changed while it was read`,
        );
      }
      return key;
    } finally {
      await handle.close();
    }
  }

  private async createKeyFile(): Promise<Uint8Array> {
    const dir = path.dirname(this.keyFilePath);
    await fs.mkdir(dir, { recursive: true, mode: KEY_DIR_MODE });
    const key = crypto.getRandomValues(new Uint8Array(CHAT_KEY_BYTES));
    let handle: fs.FileHandle;
    try {
      // 'wx' fails if another process created the file meanwhile, so two first runs can never hand out two keys.
      handle = await fs.open(this.keyFilePath, 'wx', KEY_FILE_MODE);
    } catch (error) {
      if (!isErrnoException(error) || error.code !== 'EEXIST') {
        throw new ChatKeyFileError(`openChatStore: cannot create the key file ${this.keyFilePath}`, {
          cause: error,
        });
      }
      key.fill(0);
      const winner = await this.readKeyFile();
      if (winner === undefined)
        throw new ChatKeyFileError(`openChatStore: the key file ${this.keyFilePath} vanished`);
      return winner;
    }
    try {
      await handle.writeFile(key);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await fs.rm(this.keyFilePath, { force: true });
      throw new ChatKeyFileError(`openChatStore: cannot write the new key file ${this.keyFilePath}`, {
        cause: error,
      });
    }
    await handle.close();
    await fsyncDirectory(dir);
    return key;
  }
}

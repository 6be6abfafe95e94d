import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatKeyFileError, ChatKeyMissingError } from '../../app/chats/chatStoreErrors';
import { KeychainUnavailableError } from './KeychainUnavailableError';
import {
  BASIC_TEXT_WARNING,
  SafeStorageChatKeyProvider,
  type SafeStorageLike,
} from './SafeStorageChatKeyProvider';

type Backend = ReturnType<SafeStorageLike['getSelectedStorageBackend']>;

/**
 * Stands in for Electron's safeStorage (the Electron binary cannot run here): a reversible transform keyed by a
 * "machine secret", so a blob from another machine fails to decrypt like the real keychain would.
 */
class FakeSafeStorage implements SafeStorageLike {
  public available = true;
  public backend: Backend = 'gnome_libsecret';
  public readonly wrappedTexts: string[] = [];

  public reEncryptNext: boolean;
  private readonly rewrapWith: number | undefined;

  public constructor(
    public machineSecret: number,
    options: { reEncryptNext?: boolean; rewrapWith?: number } = {},
  ) {
    this.reEncryptNext = options.reEncryptNext ?? false;
    this.rewrapWith = options.rewrapWith;
  }

  public async isAsyncEncryptionAvailable(): Promise<boolean> {
    return this.available;
  }
  public getSelectedStorageBackend(): Backend {
    return this.backend;
  }
  public async encryptStringAsync(plainText: string): Promise<Buffer> {
    // After a keychain rotation, new wrappings use the new secret.
    if (this.rewrapWith !== undefined) this.machineSecret = this.rewrapWith;
    return this.encryptSync(plainText);
  }
  public encryptSync(plainText: string): Buffer {
    this.wrappedTexts.push(plainText);
    const body = Buffer.from(plainText, 'utf8').map((byte) => byte ^ this.machineSecret);
    return Buffer.concat([Buffer.from([this.machineSecret]), body]);
  }
  public async decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }> {
    if (encrypted[0] !== this.machineSecret)
      throw new Error('Error while decrypting the ciphertext provided');
    const result = Buffer.from(encrypted.subarray(1).map((byte) => byte ^ this.machineSecret)).toString(
      'utf8',
    );
    const shouldReEncrypt = this.reEncryptNext;
    this.reEncryptNext = false;
    return { result, shouldReEncrypt };
  }
}

let dir: string;
let wrappedKeyPath: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'veil-safe-storage-'));
  wrappedKeyPath = path.join(dir, 'keys', 'chat-key.safe');
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function provider(safeStorage: SafeStorageLike, platform: NodeJS.Platform = 'linux') {
  return new SafeStorageChatKeyProvider({ wrappedKeyPath, safeStorage, platform });
}

describe('SafeStorageChatKeyProvider', () => {
  it('creates a random 32-byte key for a new store, stores it only wrapped (0600), and unwraps the same key later', async () => {
    const safeStorage = new FakeSafeStorage(0x5a);
    const first = await provider(safeStorage).getKey({});

    expect(first.key).toHaveLength(32);
    const onDisk = await fs.readFile(wrappedKeyPath);
    expect(onDisk.includes(Buffer.from(first.key))).toBe(false);
    expect(onDisk.toString('latin1')).not.toContain(Buffer.from(first.key).toString('base64'));
    if (process.platform !== 'win32') expect((await fs.stat(wrappedKeyPath)).mode & 0o777).toBe(0o600);

    const again = await provider(safeStorage).getKey({ existing: { kind: 'safeStorage' } });
    expect(Buffer.from(again.key).equals(Buffer.from(first.key))).toBe(true);
  });

  it('wraps the key again when the keychain asks for it, keeping the same key', async () => {
    const safeStorage = new FakeSafeStorage(0x21);
    const first = await provider(safeStorage).getKey({});
    const before = await fs.readFile(wrappedKeyPath);
    // The old wrapping still opens once (the fake keeps the old secret readable for this call)...
    const again = await provider(new FakeSafeStorage(0x21, { reEncryptNext: true, rewrapWith: 0x22 })).getKey(
      {
        existing: { kind: 'safeStorage' },
      },
    );
    expect(Buffer.from(again.key).equals(Buffer.from(first.key))).toBe(true);
    const after = await fs.readFile(wrappedKeyPath);
    expect(after.equals(before)).toBe(false);
    // ...and the new wrapping opens under the rotated keychain key.
    const rotated = await provider(new FakeSafeStorage(0x22)).getKey({ existing: { kind: 'safeStorage' } });
    expect(Buffer.from(rotated.key).equals(Buffer.from(first.key))).toBe(true);
    if (process.platform !== 'win32') expect((await fs.stat(wrappedKeyPath)).mode & 0o777).toBe(0o600);
  });

  it('makes a different key each time a new store is created', async () => {
    const a = await provider(new FakeSafeStorage(1)).getKey({});
    await fs.rm(wrappedKeyPath);
    const b = await provider(new FakeSafeStorage(1)).getKey({});
    expect(Buffer.from(a.key).equals(Buffer.from(b.key))).toBe(false);
  });

  it('never invents a key for an existing store whose wrapped key is gone', async () => {
    await expect(
      provider(new FakeSafeStorage(1)).getKey({ existing: { kind: 'safeStorage' } }),
    ).rejects.toThrow(ChatKeyMissingError);
    await expect(fs.access(wrappedKeyPath)).rejects.toThrow();
  });

  it('fails clearly when the keychain is unavailable, before touching disk', async () => {
    const safeStorage = new FakeSafeStorage(1);
    safeStorage.available = false;
    await expect(provider(safeStorage).getKey({})).rejects.toThrow(KeychainUnavailableError);
    await expect(fs.access(wrappedKeyPath)).rejects.toThrow();
  });

  it('refuses a wrapped key another keychain made, keeping the file', async () => {
    await provider(new FakeSafeStorage(1)).getKey({});
    const before = await fs.readFile(wrappedKeyPath);

    await expect(
      provider(new FakeSafeStorage(2)).getKey({ existing: { kind: 'safeStorage' } }),
    ).rejects.toThrow(/cannot unwrap/);
    expect((await fs.readFile(wrappedKeyPath)).equals(before)).toBe(true);
  });

  it('refuses a wrapped blob that does not hold a 32-byte key, without echoing it', async () => {
    const safeStorage = new FakeSafeStorage(3);
    await fs.mkdir(path.dirname(wrappedKeyPath), { recursive: true });
    await fs.writeFile(wrappedKeyPath, safeStorage.encryptSync('c2hvcnQ='));

    const failure = provider(safeStorage).getKey({ existing: { kind: 'safeStorage' } });
    await expect(failure).rejects.toThrow(ChatKeyFileError);
    await expect(failure).rejects.not.toThrow(/c2hvcnQ/);
  });

  it('reports Linux basic_text storage as unprotected with a warning for the UI', () => {
    const safeStorage = new FakeSafeStorage(1);
    expect(provider(safeStorage).describe()).toEqual({ kind: 'safeStorage', protected: true });
    safeStorage.backend = 'basic_text';
    expect(provider(safeStorage).describe()).toEqual({
      kind: 'safeStorage',
      protected: false,
      warning: BASIC_TEXT_WARNING,
    });
    expect(provider(safeStorage, 'darwin').describe()).toEqual({ kind: 'safeStorage', protected: true });
  });
});

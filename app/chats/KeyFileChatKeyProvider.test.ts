import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatKeyFileError, ChatKeyMissingError } from './chatStoreErrors';
import { KeyFileChatKeyProvider } from './KeyFileChatKeyProvider';

let root: string;
let keyFilePath: string;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'veil-chat-key-'));
  keyFilePath = path.join(root, 'keys', 'chat-store.key');
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('KeyFileChatKeyProvider', () => {
  it('creates a random 32-byte key file with mode 0600 (folder 0700) for a new store, and reads it back', async () => {
    const provider = new KeyFileChatKeyProvider({ keyFilePath });
    const { key } = await provider.getKey({});
    expect(key).toHaveLength(32);
    expect((await fs.stat(keyFilePath)).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.dirname(keyFilePath))).mode & 0o777).toBe(0o700);
    expect(new Uint8Array(await fs.readFile(keyFilePath))).toEqual(key);
    const again = await new KeyFileChatKeyProvider({ keyFilePath }).getKey({ existing: { kind: 'keyFile' } });
    expect(again.key).toEqual(key);
    expect(provider.describe()).toMatchObject({ kind: 'keyFile', protected: false });
  });

  it('two first runs at once end up with one key', async () => {
    const [a, b] = await Promise.all([
      new KeyFileChatKeyProvider({ keyFilePath }).getKey({}),
      new KeyFileChatKeyProvider({ keyFilePath }).getKey({}),
    ]);
    expect(a.key).toEqual(b.key);
  });

  it('never makes up a key for an existing store', async () => {
    const provider = new KeyFileChatKeyProvider({ keyFilePath });
    await expect(provider.getKey({ existing: { kind: 'keyFile' } })).rejects.toThrow(ChatKeyMissingError);
    await expect(fs.stat(keyFilePath)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(fs.stat(path.dirname(keyFilePath))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.each([0o644, 0o640, 0o604])('refuses a key file with mode %o, naming the problem', async (mode) => {
    await fs.mkdir(path.dirname(keyFilePath), { recursive: true });
    await fs.writeFile(keyFilePath, new Uint8Array(32).fill(7));
    await fs.chmod(keyFilePath, mode);
    const provider = new KeyFileChatKeyProvider({ keyFilePath });
    await expect(provider.getKey({ existing: { kind: 'keyFile' } })).rejects.toThrow(ChatKeyFileError);
    await expect(provider.getKey({})).rejects.toThrow(
      /is readable by other users \(mode 6\d\d\); refusing to use it/,
    );
    expect((await fs.stat(keyFilePath)).mode & 0o777).toBe(mode);
  });

  it('ignores POSIX modes on Windows, where they mean nothing', async () => {
    await fs.mkdir(path.dirname(keyFilePath), { recursive: true });
    await fs.writeFile(keyFilePath, new Uint8Array(32).fill(7), { mode: 0o644 });
    await fs.chmod(keyFilePath, 0o644);
    const { key } = await new KeyFileChatKeyProvider({ keyFilePath, platform: 'win32' }).getKey({});
    expect(key).toEqual(new Uint8Array(32).fill(7));
  });

  it('rejects a key file of the wrong size', async () => {
    await fs.mkdir(path.dirname(keyFilePath), { recursive: true });
    await fs.writeFile(keyFilePath, new Uint8Array(31), { mode: 0o600 });
    await expect(new KeyFileChatKeyProvider({ keyFilePath }).getKey({})).rejects.toThrow(
      /has 31 bytes, expected 32/,
    );
  });
});

import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatStore } from './ChatStore';
import { ChatInputError, ChatKeyMismatchError, ChatStoreError } from './chatStoreErrors';
import { KeyFileChatKeyProvider } from './KeyFileChatKeyProvider';
import { ARGON2ID_MODERATE, PassphraseChatKeyProvider } from './PassphraseChatKeyProvider';

/** Cheap limits keep most tests fast; one test runs the production MODERATE limits. */
const FAST_LIMITS = { opsLimit: 1, memLimit: 8 * 1024 * 1024 };

let root: string;
let dir: string;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'veil-chat-pass-'));
  dir = path.join(root, 'chats');
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function hashDir(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await fs.readdir(dir)) {
    out[name] = createHash('sha256')
      .update(await fs.readFile(path.join(dir, name)))
      .digest('hex');
  }
  return out;
}

function passphrase(text: string, limits = FAST_LIMITS): PassphraseChatKeyProvider {
  return new PassphraseChatKeyProvider({ passphrase: text, limits });
}

describe('PassphraseChatKeyProvider', () => {
  it('opens with the right passphrase and fails clearly, changing nothing, with a wrong one', async () => {
    const store = await ChatStore.open({ dir, keyProvider: passphrase('correct horse battery staple') });
    expect(store.keyDescription).toEqual({ kind: 'passphrase', protected: true });
    const conv = await store.createConversation({ title: 'Private' });
    await store.dispose();

    const header = JSON.parse(await fs.readFile(path.join(dir, 'store.json'), 'utf8'));
    expect(header.key).toEqual({
      kind: 'passphrase',
      kdf: { algorithm: 'argon2id13', salt: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), ...FAST_LIMITS },
    });

    const before = await hashDir();
    await expect(
      ChatStore.open({ dir, keyProvider: passphrase('correct horse battery stapler') }),
    ).rejects.toThrow(
      'opening chat store: the key does not match this store (wrong passphrase or key file); nothing was changed',
    );
    expect(await hashDir()).toEqual(before);

    // Limits passed for a new store are ignored for an existing one: the header's limits apply.
    const reopened = await ChatStore.open({
      dir,
      keyProvider: passphrase('correct horse battery staple', ARGON2ID_MODERATE),
    });
    expect(reopened.getConversation(conv.id).title).toBe('Private');
    await reopened.dispose();
  });

  it('normalizes the passphrase, so composed and decomposed accents are the same passphrase', async () => {
    const store = await ChatStore.open({ dir, keyProvider: passphrase('caf\u00e9 au lait') });
    await store.dispose();
    const reopened = await ChatStore.open({ dir, keyProvider: passphrase('cafe\u0301 au lait') });
    await reopened.dispose();
  });

  // About 1 s per derivation on an idle 2-core VM; the timeout allows for a loaded CI machine.
  it('derives with the production MODERATE limits (3 passes, 256 MiB)', { timeout: 90_000 }, async () => {
    const store = await ChatStore.open({
      dir,
      keyProvider: new PassphraseChatKeyProvider({ passphrase: 'moderate' }),
    });
    await store.dispose();
    const header = JSON.parse(await fs.readFile(path.join(dir, 'store.json'), 'utf8'));
    expect(header.key.kdf).toMatchObject({ opsLimit: 3, memLimit: 256 * 1024 * 1024 });
    const reopened = await ChatStore.open({
      dir,
      keyProvider: new PassphraseChatKeyProvider({ passphrase: 'moderate' }),
    });
    await reopened.dispose();
  });

  it('refuses a key-file store opened with a passphrase (and the reverse) before deriving anything', async () => {
    const keyFilePath = path.join(root, 'keys', 'k');
    const store = await ChatStore.open({ dir, keyProvider: new KeyFileChatKeyProvider({ keyFilePath }) });
    await store.dispose();
    await expect(ChatStore.open({ dir, keyProvider: passphrase('x') })).rejects.toThrow(ChatKeyMismatchError);
    await expect(ChatStore.open({ dir, keyProvider: passphrase('x') })).rejects.toThrow(
      /key is kept as "keyFile" but a "passphrase" key was supplied/,
    );

    const otherDir = path.join(root, 'other');
    const passStore = await ChatStore.open({ dir: otherDir, keyProvider: passphrase('x') });
    await passStore.dispose();
    await expect(
      ChatStore.open({ dir: otherDir, keyProvider: new KeyFileChatKeyProvider({ keyFilePath }) }),
    ).rejects.toThrow(/key is kept as "passphrase" but a "keyFile" key was supplied/);
  });

  it('rejects out-of-range limits from a tampered header instead of hashing with them', async () => {
    const store = await ChatStore.open({ dir, keyProvider: passphrase('x') });
    await store.dispose();
    const headerPath = path.join(dir, 'store.json');
    const header = JSON.parse(await fs.readFile(headerPath, 'utf8'));
    header.key.kdf.memLimit = 64 * 1024 * 1024 * 1024;
    await fs.writeFile(headerPath, JSON.stringify(header));
    await expect(ChatStore.open({ dir, keyProvider: passphrase('x') })).rejects.toThrow(
      /passphrase parameters in store\.json are out of range/,
    );
  });

  it('rejects an empty passphrase and is single use', async () => {
    expect(() => new PassphraseChatKeyProvider({ passphrase: '' })).toThrow(ChatInputError);
    const provider = passphrase('once');
    await provider.getKey({});
    await expect(provider.getKey({})).rejects.toThrow(ChatStoreError);
  });
});

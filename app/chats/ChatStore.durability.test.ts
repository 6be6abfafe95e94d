import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatStore } from './ChatStore';
import { ChatKeyMismatchError, ChatKeyMissingError, ChatStoreCorruptError } from './chatStoreErrors';
import { KeyFileChatKeyProvider } from './KeyFileChatKeyProvider';

/** Magic (8) + generation (16). */
const LOG_HEADER_BYTES = 24;

let root: string;
let dir: string;
let keyFilePath: string;
const open: ChatStore[] = [];

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'veil-chats-durability-'));
  dir = path.join(root, 'chats');
  keyFilePath = path.join(root, 'keys', 'chat-store.key');
});

afterEach(async () => {
  for (const store of open.splice(0)) await store.dispose();
  await fs.rm(root, { recursive: true, force: true });
});

async function openStore(keyPath = keyFilePath): Promise<ChatStore> {
  const store = await ChatStore.open({
    dir,
    keyProvider: new KeyFileChatKeyProvider({ keyFilePath: keyPath }),
  });
  open.push(store);
  return store;
}

/** A store with one conversation of `count` messages (u0, a1, u2, …), closed again. */
async function seedStore(
  count: number,
): Promise<{ conversationId: string; messageIds: string[]; file: string }> {
  const store = await openStore();
  const conv = await store.createConversation({ title: 'Seeded' });
  const messageIds: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const parentId = messageIds.at(-1) ?? null;
    messageIds.push(
      (
        await store.addMessage(conv.id, {
          parentId,
          role: i % 2 === 0 ? 'user' : 'assistant',
          content: `message ${i}`,
        })
      ).id,
    );
  }
  await store.dispose();
  open.splice(open.indexOf(store), 1);
  return { conversationId: conv.id, messageIds, file: path.join(dir, `${conv.id}.vlog`) };
}

/** Name, mode and SHA-256 of every file under `root`, to prove nothing changed. */
async function snapshotTree(base: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await fs.readdir(base, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const stats = await fs.stat(full);
    out[path.relative(base, full)] = entry.isFile()
      ? `${(stats.mode & 0o777).toString(8)} ${createHash('sha256')
          .update(await fs.readFile(full))
          .digest('hex')}`
      : `dir ${(stats.mode & 0o777).toString(8)}`;
  }
  return out;
}

/** Start offset and total length (prefix included) of every record frame in a log file. */
function frames(bytes: Uint8Array): { start: number; length: number }[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: { start: number; length: number }[] = [];
  for (let offset = LOG_HEADER_BYTES; offset + 4 <= bytes.length;) {
    const length = 4 + view.getUint32(offset, true);
    out.push({ start: offset, length });
    offset += length;
  }
  return out;
}

function flipBits(bytes: Uint8Array, index: number, mask: number): void {
  const byte = bytes[index];
  if (byte === undefined) throw new Error(`offset ${index} is outside the file`);
  bytes[index] = byte ^ mask;
}

async function writeKey(file: string, bytes: Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, bytes, { mode: 0o600 });
}

describe('ChatStore keys', () => {
  it('a wrong key gives ChatKeyMismatchError and leaves every file byte-identical', async () => {
    await seedStore(3);
    const wrongKey = path.join(root, 'keys', 'other.key');
    await writeKey(wrongKey, crypto.getRandomValues(new Uint8Array(32)));
    const before = await snapshotTree(root);
    await expect(openStore(wrongKey)).rejects.toThrow(ChatKeyMismatchError);
    await expect(openStore(wrongKey)).rejects.toThrow(
      'opening chat store: the key does not match this store (wrong passphrase or key file); nothing was changed',
    );
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('a missing key file for an existing store gives ChatKeyMissingError and creates nothing', async () => {
    await seedStore(2);
    await fs.rm(keyFilePath);
    const before = await snapshotTree(root);
    await expect(openStore()).rejects.toThrow(ChatKeyMissingError);
    await expect(openStore()).rejects.toThrow(/key file .* is missing but the chat store already holds data/);
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('refuses conversation files without store.json instead of starting a new store over them', async () => {
    await seedStore(1);
    await fs.rm(path.join(dir, 'store.json'));
    const before = await snapshotTree(root);
    await expect(openStore()).rejects.toThrow(/store\.json is missing but 1 conversation files exist/);
    expect(await snapshotTree(root)).toEqual(before);
  });
});

describe('ChatStore at rest', () => {
  it('stores no plaintext: titles, prompts, contents, model ids and receipts are all encrypted', async () => {
    const marker = 'ZEBRA-MARKER-7731';
    const store = await openStore();
    const conv = await store.createConversation({
      title: `${marker} title`,
      systemPrompt: `${marker} system`,
      modelRef: { kind: 'local', id: `${marker}-model` },
    });
    const q = await store.addMessage(conv.id, {
      parentId: null,
      role: 'user',
      content: `secret ${marker} question`,
    });
    const a = await store.addMessage(conv.id, { parentId: q.id, role: 'assistant', content: '' });
    store.appendToMessage(conv.id, a.id, `streamed ${marker}`);
    await store.updateMessage(conv.id, a.id, { finishReason: 'eogToken', receipt: { provider: marker } });
    await store.renameConversation(conv.id, `renamed ${marker}`);
    await store.dispose();

    const needles = [marker, 'secret', 'streamed', 'renamed'].flatMap((text) => [
      Buffer.from(text, 'utf8'),
      Buffer.from(text, 'utf16le'),
      Buffer.from(text.toLowerCase(), 'utf8'),
    ]);
    const files = await fs.readdir(dir);
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const name of files) {
      const bytes = await fs.readFile(path.join(dir, name));
      for (const needle of needles) expect(bytes.includes(needle), `${name} contains plaintext`).toBe(false);
    }
    // The test itself can see plaintext when it is there: the reopened store decrypts it.
    const reopened = await openStore();
    expect(reopened.getConversation(conv.id).title).toBe(`renamed ${marker}`);
  });

  it('creates the store directory 0700 and its files 0600', async () => {
    const { file } = await seedStore(1);
    expect((await fs.stat(dir)).mode & 0o777).toBe(0o700);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.join(dir, 'store.json'))).mode & 0o777).toBe(0o600);
  });
});

describe('ChatStore damage', () => {
  it('a tampered middle record is a clear corruption error and nothing is changed', async () => {
    const { conversationId, file } = await seedStore(4);
    const bytes = new Uint8Array(await fs.readFile(file));
    const middle = frames(bytes)[2];
    if (middle === undefined) throw new Error('expected at least three records');
    flipBits(bytes, middle.start + 4 + 30, 0x01);
    await fs.writeFile(file, bytes);
    const before = await snapshotTree(root);
    await expect(openStore()).rejects.toThrow(ChatStoreCorruptError);
    await expect(openStore()).rejects.toThrow(
      `openChatStore: conversation ${conversationId} is damaged (record 2 fails authentication); nothing was changed`,
    );
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('records cannot be reordered within a file', async () => {
    const { file } = await seedStore(4);
    const bytes = new Uint8Array(await fs.readFile(file));
    const [, r1, r2] = frames(bytes);
    if (r1 === undefined || r2 === undefined) throw new Error('expected records');
    const swapped = Buffer.concat([
      bytes.subarray(0, r1.start),
      bytes.subarray(r2.start, r2.start + r2.length),
      bytes.subarray(r1.start, r1.start + r1.length),
      bytes.subarray(r2.start + r2.length),
    ]);
    await fs.writeFile(file, swapped);
    await expect(openStore()).rejects.toThrow(/record 1 fails authentication/);
  });

  it('records cannot be moved between conversations', async () => {
    const store = await openStore();
    const a = await store.createConversation({ title: 'A' });
    const b = await store.createConversation({ title: 'B' });
    for (const id of [a.id, b.id]) {
      const m = await store.addMessage(id, { parentId: null, role: 'user', content: 'x' });
      await store.addMessage(id, { parentId: m.id, role: 'assistant', content: 'y' });
    }
    await store.dispose();
    const fileA = path.join(dir, `${a.id}.vlog`);
    const fileB = path.join(dir, `${b.id}.vlog`);
    const bytesA = new Uint8Array(await fs.readFile(fileA));
    const bytesB = new Uint8Array(await fs.readFile(fileB));
    const recordA1 = frames(bytesA)[1];
    const recordB1 = frames(bytesB)[1];
    if (recordA1 === undefined || recordB1 === undefined) throw new Error('expected records');
    // Same position, same length class, but bound to another conversation id and file generation.
    const spliced = Buffer.concat([
      bytesB.subarray(0, recordB1.start),
      bytesA.subarray(recordA1.start, recordA1.start + recordA1.length),
      bytesB.subarray(recordB1.start + recordB1.length),
    ]);
    await fs.writeFile(fileB, spliced);
    await expect(openStore()).rejects.toThrow(
      new RegExp(`conversation ${b.id} is damaged \\(record 1 fails authentication\\)`),
    );
  });

  it.each([
    [
      'cut inside the last record',
      (bytes: Uint8Array, last: { start: number; length: number }) =>
        bytes.subarray(0, last.start + Math.floor(last.length / 2)),
    ],
    [
      'cut inside the length prefix',
      (bytes: Uint8Array, last: { start: number }) => bytes.subarray(0, last.start + 2),
    ],
    [
      'zeros where the last record should be',
      (bytes: Uint8Array, last: { start: number; length: number }) =>
        Buffer.concat([bytes.subarray(0, last.start), new Uint8Array(last.length)]),
    ],
    [
      'last record garbled in place',
      (bytes: Uint8Array, last: { start: number; length: number }) => {
        const copy = Uint8Array.from(bytes);
        flipBits(copy, last.start + last.length - 3, 0xff);
        return copy;
      },
    ],
  ])('a torn tail (%s) is cut off on open and earlier messages stay intact', async (_name, tear) => {
    const { conversationId, messageIds, file } = await seedStore(5);
    const bytes = new Uint8Array(await fs.readFile(file));
    const all = frames(bytes);
    const last = all.at(-1);
    if (last === undefined) throw new Error('expected records');
    const validLength = last.start;
    await fs.writeFile(file, tear(bytes, last));

    const store = await openStore();
    expect(store.recoveries).toEqual([{ conversationId, droppedBytes: expect.any(Number) }]);
    expect((await fs.stat(file)).size).toBe(validLength);
    const messages = store.getConversation(conversationId).messages;
    expect(messages.map((m) => m.id)).toEqual(messageIds.slice(0, 4));
    expect(messages.map((m) => m.content)).toEqual(['message 0', 'message 1', 'message 2', 'message 3']);

    // The store keeps working after the repair, and the new record survives another reopen.
    await store.addMessage(conversationId, {
      parentId: messageIds[3] ?? null,
      role: 'assistant',
      content: 'after repair',
    });
    await store.dispose();
    const again = await openStore();
    expect(again.recoveries).toEqual([]);
    expect(again.getConversation(conversationId).messages.at(-1)?.content).toBe('after repair');
  });

  it('a torn tail is not repaired while another conversation is damaged', async () => {
    const store = await openStore();
    const torn = await store.createConversation({ title: 'torn' });
    const damaged = await store.createConversation({ title: 'damaged' });
    for (const id of [torn.id, damaged.id]) {
      let parentId: string | null = null;
      for (let i = 0; i < 3; i += 1)
        parentId = (await store.addMessage(id, { parentId, role: 'user', content: `${i}` })).id;
    }
    await store.dispose();
    const tornFile = path.join(dir, `${torn.id}.vlog`);
    const tornBytes = new Uint8Array(await fs.readFile(tornFile));
    await fs.writeFile(tornFile, tornBytes.subarray(0, tornBytes.length - 5));
    const damagedFile = path.join(dir, `${damaged.id}.vlog`);
    const damagedBytes = new Uint8Array(await fs.readFile(damagedFile));
    const middle = frames(damagedBytes)[1];
    if (middle === undefined) throw new Error('expected records');
    flipBits(damagedBytes, middle.start + 10, 0x80);
    await fs.writeFile(damagedFile, damagedBytes);

    const before = await snapshotTree(root);
    await expect(openStore()).rejects.toThrow(ChatStoreCorruptError);
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('a log that is not a Veil log is reported, not overwritten', async () => {
    const { file, conversationId } = await seedStore(1);
    await fs.writeFile(file, 'hello, I am not a log');
    const before = await snapshotTree(root);
    await expect(openStore()).rejects.toThrow(
      `openChatStore: conversation ${conversationId} is damaged (not a Veil conversation log, or an unsupported version); nothing was changed`,
    );
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('an invalid or too-new store.json is reported, not overwritten', async () => {
    await seedStore(1);
    const headerPath = path.join(dir, 'store.json');
    const header = JSON.parse(await fs.readFile(headerPath, 'utf8'));
    await fs.writeFile(headerPath, JSON.stringify({ ...header, version: 99 }));
    await expect(openStore()).rejects.toThrow(/format version 99, newer than this Veil supports/);
    await fs.writeFile(headerPath, JSON.stringify({ ...header, keyCheck: 42 }));
    const before = await snapshotTree(root);
    await expect(openStore()).rejects.toThrow(/store\.json has an invalid field "keyCheck"/);
    expect(await snapshotTree(root)).toEqual(before);
  });
});

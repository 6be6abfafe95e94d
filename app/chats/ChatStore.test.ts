import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatStore } from './ChatStore';
import {
  ChatInputError,
  ChatMessageNotFoundError,
  ChatStoreDisposedError,
  ConversationNotFoundError,
} from './chatStoreErrors';
import { getActivePath, getSiblings } from './conversationTree';
import { KeyFileChatKeyProvider } from './KeyFileChatKeyProvider';

let root: string;
let dir: string;
let keyFilePath: string;
const open: ChatStore[] = [];

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'veil-chats-'));
  dir = path.join(root, 'chats');
  keyFilePath = path.join(root, 'keys', 'chat-store.key');
});

afterEach(async () => {
  for (const store of open.splice(0)) await store.dispose();
  await fs.rm(root, { recursive: true, force: true });
});

async function openStore(
  options: { now?: () => number; compactAfterRecords?: number } = {},
): Promise<ChatStore> {
  const store = await ChatStore.open({
    dir,
    keyProvider: new KeyFileChatKeyProvider({ keyFilePath }),
    ...options,
  });
  open.push(store);
  return store;
}

/** A clock that ticks one millisecond per call, so ordering by time is deterministic. */
function tickingClock(start = 1_700_000_000_000): () => number {
  let t = start;
  return () => (t += 1);
}

describe('ChatStore conversations', () => {
  it('creates, lists by updatedAt, renames, updates settings and deletes', async () => {
    const store = await openStore({ now: tickingClock() });
    const first = await store.createConversation({ title: 'First' });
    const second = await store.createConversation({
      title: 'Second',
      systemPrompt: 'Be brief.',
      modelRef: { kind: 'local', id: 'qwen-0.5b' },
      sampling: { temperature: 0.7, topP: 0.9 },
    });
    expect(store.listConversations().map((c) => c.id)).toEqual([second.id, first.id]);

    await store.renameConversation(first.id, 'Renamed');
    const listed = store.listConversations();
    expect(listed.map((c) => [c.id, c.title])).toEqual([
      [first.id, 'Renamed'],
      [second.id, 'Second'],
    ]);
    expect(listed[1]?.modelRef).toEqual({ kind: 'local', id: 'qwen-0.5b' });

    await store.updateSettings(second.id, {
      systemPrompt: 'Be thorough.',
      sampling: null,
      modelRef: { kind: 'network', id: 'm1' },
    });
    const updated = store.getConversation(second.id);
    expect(updated.systemPrompt).toBe('Be thorough.');
    expect(updated.sampling).toBeUndefined();
    expect(updated.modelRef).toEqual({ kind: 'network', id: 'm1' });

    const secondFile = path.join(dir, `${second.id}.vlog`);
    await expect(fs.stat(secondFile)).resolves.toBeDefined();
    await store.deleteConversation(second.id);
    await expect(fs.stat(secondFile)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(store.listConversations().map((c) => c.id)).toEqual([first.id]);
    expect(() => store.getConversation(second.id)).toThrow(ConversationNotFoundError);
    await expect(store.renameConversation(second.id, 'x')).rejects.toThrow(ConversationNotFoundError);
  });

  it('searches titles and contents case-insensitively across branches, with snippets', async () => {
    const store = await openStore();
    const trip = await store.createConversation({ title: 'Trip to Lisbon' });
    const code = await store.createConversation({ title: 'Code review' });
    const question = await store.addMessage(trip.id, {
      parentId: null,
      role: 'user',
      content: 'Where should I eat?',
    });
    const answer = await store.addMessage(trip.id, {
      parentId: question.id,
      role: 'assistant',
      content: `${'Lots of options. '.repeat(5)}Try the PASTÉIS de nata in Belém.${' More text.'.repeat(10)}`,
    });
    await store.addMessage(code.id, { parentId: null, role: 'user', content: 'Is this lisbon-safe?' });

    const hits = store.search('lisbon');
    expect(hits).toContainEqual({ conversationId: trip.id, snippet: 'Trip to Lisbon' });
    expect(hits.some((h) => h.conversationId === code.id && h.snippet.includes('lisbon-safe'))).toBe(true);
    expect(hits).toHaveLength(2);

    const [pastry] = store.search('pastéis');
    expect(pastry).toMatchObject({ conversationId: trip.id, messageId: answer.id });
    expect(pastry?.snippet).toContain('PASTÉIS de nata');
    expect(pastry?.snippet.startsWith('…')).toBe(true);
    expect(pastry?.snippet.endsWith('…')).toBe(true);
    expect(pastry?.snippet.length).toBeLessThan(100);

    expect(store.search('nothing like this')).toEqual([]);
    expect(store.search('   ')).toEqual([]);
    expect(store.search('o', { limit: 2 })).toHaveLength(2);
  });
});

describe('ChatStore message tree', () => {
  it('keeps both versions when a user message is edited, and switches between them', async () => {
    const store = await openStore({ now: tickingClock() });
    const conv = await store.createConversation();
    const q1 = await store.addMessage(conv.id, { parentId: null, role: 'user', content: 'Hello' });
    const a1 = await store.addMessage(conv.id, { parentId: q1.id, role: 'assistant', content: 'Hi!' });
    const q2 = await store.addMessage(conv.id, { parentId: a1.id, role: 'user', content: 'Tell me a joke' });
    const a2 = await store.addMessage(conv.id, {
      parentId: q2.id,
      role: 'assistant',
      content: 'Knock knock',
    });

    // Edit q2: a new sibling under the same parent, then its reply.
    const q2b = await store.addMessage(conv.id, { parentId: a1.id, role: 'user', content: 'Tell me a poem' });
    const a2b = await store.addMessage(conv.id, {
      parentId: q2b.id,
      role: 'assistant',
      content: 'Roses are red',
    });

    let current = store.getConversation(conv.id);
    expect(current.messages).toHaveLength(6);
    expect(getActivePath(current).map((m) => m.content)).toEqual([
      'Hello',
      'Hi!',
      'Tell me a poem',
      'Roses are red',
    ]);
    expect(getSiblings(current, q2b.id)).toEqual({
      siblings: [expect.objectContaining({ id: q2.id }), expect.objectContaining({ id: q2b.id })],
      index: 1,
    });

    // Switching to the old version shows its newest continuation.
    expect(await store.setActiveLeaf(conv.id, q2.id)).toBe(a2.id);
    current = store.getConversation(conv.id);
    expect(current.activeLeafId).toBe(a2.id);
    expect(getActivePath(current).map((m) => m.content)).toEqual([
      'Hello',
      'Hi!',
      'Tell me a joke',
      'Knock knock',
    ]);
    expect(getSiblings(current, q2.id).index).toBe(0);

    expect(await store.setActiveLeaf(conv.id, q2b.id)).toBe(a2b.id);
    await expect(store.setActiveLeaf(conv.id, 'f'.repeat(24))).rejects.toThrow(ChatMessageNotFoundError);
  });

  it('regenerates a reply as a new assistant sibling under the same user message', async () => {
    const store = await openStore({ now: tickingClock() });
    const conv = await store.createConversation();
    const q = await store.addMessage(conv.id, { parentId: null, role: 'user', content: 'Name a colour' });
    const a1 = await store.addMessage(conv.id, { parentId: q.id, role: 'assistant', content: 'Blue' });
    const a2 = await store.addMessage(conv.id, { parentId: q.id, role: 'assistant', content: 'Green' });
    const current = store.getConversation(conv.id);
    expect(getSiblings(current, a1.id).siblings.map((m) => m.content)).toEqual(['Blue', 'Green']);
    expect(getActivePath(current).map((m) => m.id)).toEqual([q.id, a2.id]);
  });

  it('streams a reply: content grows in memory, is checkpointed, then finalized with counts', async () => {
    const store = await openStore();
    const conv = await store.createConversation();
    const q = await store.addMessage(conv.id, { parentId: null, role: 'user', content: 'Count to three' });
    const a = await store.addMessage(conv.id, {
      parentId: q.id,
      role: 'assistant',
      content: '',
      modelRef: { kind: 'network', id: 'provider-model', providerId: 'provider-7' },
    });
    for (const token of ['One', ', two', ', three']) store.appendToMessage(conv.id, a.id, token);
    expect(store.getConversation(conv.id).messages.at(-1)?.content).toBe('One, two, three');
    expect(store.getMessage(conv.id, a.id).content).toBe('One, two, three');

    const final = await store.updateMessage(conv.id, a.id, {
      finishReason: 'eogToken',
      promptTokens: 12,
      completionTokens: 5,
      receipt: { providerId: 'p-1', signature: 'c2ln', costMicros: 42 },
      error: { name: 'ProviderTimeoutError', message: 'relay: the provider stopped answering' },
    });
    expect(final).toMatchObject({
      content: 'One, two, three',
      finishReason: 'eogToken',
      promptTokens: 12,
      completionTokens: 5,
    });

    await store.dispose();
    const reopened = await openStore();
    const message = reopened.getConversation(conv.id).messages.find((m) => m.id === a.id);
    expect(message).toEqual(final);
    expect(message?.receipt).toEqual({ providerId: 'p-1', signature: 'c2ln', costMicros: 42 });
    expect(message?.error).toEqual({
      name: 'ProviderTimeoutError',
      message: 'relay: the provider stopped answering',
    });
    expect(message?.modelRef).toEqual({ kind: 'network', id: 'provider-model', providerId: 'provider-7' });
  });

  it('writes streamed text at the checkpoint interval even without a final update', async () => {
    const store = await ChatStore.open({
      dir,
      keyProvider: new KeyFileChatKeyProvider({ keyFilePath }),
      streamCheckpointMs: 20,
    });
    open.push(store);
    const conv = await store.createConversation();
    const a = await store.addMessage(conv.id, { parentId: null, role: 'assistant', content: 'Hel' });
    store.appendToMessage(conv.id, a.id, 'lo');
    const file = path.join(dir, `${conv.id}.vlog`);
    const sizeBefore = (await fs.stat(file)).size;
    await expect.poll(async () => (await fs.stat(file)).size, { timeout: 2_000 }).toBeGreaterThan(sizeBefore);
    // A copy of the files as they are now (as after a crash) holds the checkpointed text.
    const copy = path.join(root, 'copy');
    await fs.cp(dir, copy, { recursive: true });
    await fs.rm(path.join(copy, 'store.lock'));
    const other = await ChatStore.open({
      dir: copy,
      keyProvider: new KeyFileChatKeyProvider({ keyFilePath }),
    });
    open.push(other);
    expect(other.getConversation(conv.id).messages[0]?.content).toBe('Hello');
  });

  it('rejects invalid input with an error naming the field', async () => {
    const store = await openStore();
    const conv = await store.createConversation();
    await expect(
      store.addMessage(conv.id, { parentId: null, role: 'system' as 'user', content: 'x' }),
    ).rejects.toThrow(/addMessage: invalid field "role"/);
    await expect(
      store.addMessage(conv.id, { parentId: 'a'.repeat(24), role: 'user', content: 'x' }),
    ).rejects.toThrow(ChatMessageNotFoundError);
    await expect(store.updateSettings(conv.id, { sampling: { temperature: -1 } })).rejects.toThrow(
      /updateSettings: invalid field "sampling.temperature"/,
    );
    await expect(
      store.createConversation({ modelRef: { kind: 'cloud' as 'local', id: 'x' } }),
    ).rejects.toThrow(ChatInputError);
    expect(() => store.appendToMessage(conv.id, 'b'.repeat(24), 'x')).toThrow(ChatMessageNotFoundError);
  });
});

describe('ChatStore persistence and lifecycle', () => {
  it('restores everything identically after reopening with the same key', async () => {
    const store = await openStore({ now: tickingClock() });
    const a = await store.createConversation({
      title: 'Alpha',
      systemPrompt: 'sys',
      sampling: { seed: 7, maxTokens: 100 },
    });
    const b = await store.createConversation({ title: 'Beta' });
    const q = await store.addMessage(a.id, {
      parentId: null,
      role: 'user',
      content: 'Unicode ✓ 😀 \u0000 and "quotes"',
    });
    const r1 = await store.addMessage(a.id, { parentId: q.id, role: 'assistant', content: 'one' });
    await store.addMessage(a.id, { parentId: q.id, role: 'assistant', content: 'two' });
    await store.setActiveLeaf(a.id, r1.id);
    await store.renameConversation(b.id, 'Beta 2');
    const before = {
      list: store.listConversations(),
      a: store.getConversation(a.id),
      b: store.getConversation(b.id),
    };
    await store.dispose();

    const reopened = await openStore();
    expect(reopened.recoveries).toEqual([]);
    expect({
      list: reopened.listConversations(),
      a: reopened.getConversation(a.id),
      b: reopened.getConversation(b.id),
    }).toEqual(before);
  });

  it('compacts a long log into one snapshot without losing anything', async () => {
    const store = await openStore({ now: tickingClock(), compactAfterRecords: 20 });
    const conv = await store.createConversation({ title: 'Long' });
    const file = path.join(dir, `${conv.id}.vlog`);
    const generationBefore = (await fs.readFile(file)).subarray(8, 24);
    let parentId: string | null = null;
    for (let i = 0; i < 45; i += 1) {
      const m = await store.addMessage(conv.id, {
        parentId,
        role: i % 2 === 0 ? 'user' : 'assistant',
        content: `m${i}`,
      });
      // Three records per message: compaction triggers once records reach twice the message count.
      await store.renameConversation(conv.id, `Long ${i}`);
      await store.updateSettings(conv.id, { sampling: { seed: i } });
      parentId = m.id;
    }
    const before = store.getConversation(conv.id);
    // Compaction writes a new file generation (bytes 8..24 of the log).
    expect((await fs.readFile(file)).subarray(8, 24)).not.toEqual(generationBefore);
    await store.dispose();
    const reopened = await openStore();
    expect(reopened.getConversation(conv.id)).toEqual(before);
    expect(getActivePath(before)).toHaveLength(45);
    expect((await fs.readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('exports Markdown (active branch) and JSON (whole tree), and imports JSON as a new conversation', async () => {
    const store = await openStore({ now: tickingClock() });
    const conv = await store.createConversation({
      title: 'Export me',
      systemPrompt: 'You are terse.',
      modelRef: { kind: 'local', id: 'm' },
    });
    const q = await store.addMessage(conv.id, { parentId: null, role: 'user', content: 'What is **2+2**?' });
    await store.addMessage(conv.id, {
      parentId: q.id,
      role: 'assistant',
      content: 'Five',
      finishReason: 'eogToken',
    });
    await store.addMessage(conv.id, {
      parentId: q.id,
      role: 'assistant',
      content: 'Four',
      finishReason: 'eogToken',
    });

    const markdown = store.exportMarkdown(conv.id);
    expect(markdown).toMatch(/^# Export me\n/);
    expect(markdown).toContain('## System prompt\n\nYou are terse.');
    expect(markdown).toContain('## User\n\nWhat is **2+2**?\n\n## Assistant\n\nFour\n');
    expect(markdown).not.toContain('Five');

    const json = store.exportJson(conv.id);
    const imported = await store.importJson(json);
    const original = store.getConversation(conv.id);
    expect(imported.id).not.toBe(original.id);
    expect(imported.messages.map((m) => m.id)).not.toContain(q.id);
    const strip = (c: typeof original) => ({
      title: c.title,
      systemPrompt: c.systemPrompt,
      modelRef: c.modelRef,
      path: getActivePath(c).map((m) => [m.role, m.content, m.finishReason]),
      all: c.messages.map((m) => m.content),
    });
    expect(strip(imported)).toEqual(strip(original));
    expect(JSON.parse(store.exportJson(imported.id)).conversation.messages).toHaveLength(3);

    await store.dispose();
    const reopened = await openStore();
    expect(reopened.getConversation(imported.id)).toEqual(imported);
  });

  it('rejects a malformed import with an error naming the bad field, and creates nothing', async () => {
    const store = await openStore();
    const conv = await store.createConversation({ title: 'x' });
    await store.addMessage(conv.id, { parentId: null, role: 'user', content: 'hi' });
    const good = JSON.parse(store.exportJson(conv.id));
    const filesBefore = await fs.readdir(dir);

    const badRole = structuredClone(good);
    badRole.conversation.messages[0].role = 'wizard';
    await expect(store.importJson(JSON.stringify(badRole))).rejects.toThrow(
      /invalid field "conversation\.messages\.0\.role"/,
    );

    const badParent = structuredClone(good);
    badParent.conversation.messages[0].parentId = 'missing';
    await expect(store.importJson(JSON.stringify(badParent))).rejects.toThrow(
      /"conversation\.messages\.0\.parentId"/,
    );

    const badLeaf = structuredClone(good);
    badLeaf.conversation.activeLeafId = 'nope';
    await expect(store.importJson(JSON.stringify(badLeaf))).rejects.toThrow(/"conversation\.activeLeafId"/);

    await expect(store.importJson('{"format": "other"}')).rejects.toThrow(/invalid field "format"/);
    await expect(store.importJson('not json')).rejects.toThrow(/importJson: the file is not valid JSON/);
    await expect(store.importJson(' '.repeat(64 * 1024 * 1024 + 1))).rejects.toThrow(/larger than/);
    expect(await fs.readdir(dir)).toEqual(filesBefore);
    expect(store.listConversations()).toHaveLength(1);
  });

  it('dispose is idempotent and every later call throws ChatStoreDisposedError', async () => {
    const store = await openStore();
    const conv = await store.createConversation();
    await Promise.all([store.dispose(), store.dispose()]);
    await store.dispose();
    expect(() => store.listConversations()).toThrow(ChatStoreDisposedError);
    expect(() => store.getConversation(conv.id)).toThrow(ChatStoreDisposedError);
    expect(() => store.search('x')).toThrow(ChatStoreDisposedError);
    await expect(store.createConversation()).rejects.toThrow(ChatStoreDisposedError);
    await expect(store.addMessage(conv.id, { parentId: null, role: 'user', content: 'x' })).rejects.toThrow(
      ChatStoreDisposedError,
    );
  });

  it('dispose writes streamed text that has not been checkpointed yet', async () => {
    const store = await openStore();
    const conv = await store.createConversation();
    const a = await store.addMessage(conv.id, { parentId: null, role: 'assistant', content: '' });
    store.appendToMessage(conv.id, a.id, 'partial reply');
    await store.dispose();
    const reopened = await openStore();
    expect(reopened.getConversation(conv.id).messages[0]?.content).toBe('partial reply');
  });

  it('serializes concurrent writes to one conversation', async () => {
    const store = await openStore();
    const conv = await store.createConversation();
    const root = await store.addMessage(conv.id, { parentId: null, role: 'user', content: 'root' });
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        store.addMessage(conv.id, { parentId: root.id, role: 'assistant', content: `reply ${i}` }),
      ),
    );
    await store.dispose();
    const reopened = await openStore();
    const messages = reopened.getConversation(conv.id).messages;
    expect(messages.map((m) => m.id)).toEqual([root.id, ...replies.map((r) => r.id)]);
  });
});

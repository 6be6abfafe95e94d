import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ensureTestModel } from '../../test/fixtures/testModels';
import type { Conversation } from '../contract/dto';
import { RemoteError, VeilClient, type VeilTransport } from '../contract/VeilClient';
import type { VeilEvent, VeilMethod } from '../contract/veilContract';
import { ServerFrame } from '../contract/wire';
import { startVeilServer, type VeilServer } from '../server/VeilServer';
import { openTestCore, type TestCore } from './openTestCore';

/** The WebSocket transport as a browser page uses it: one socket, calls matched to results by id, events fanned out. */
class TestWebSocketTransport implements VeilTransport {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private readonly listeners = new Set<(event: VeilEvent) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      // Every frame the server sends must match the wire schema.
      const frame = ServerFrame.parse(JSON.parse(data.toString()));
      if (frame.type === 'event') {
        for (const listener of this.listeners) listener(frame.event);
        return;
      }
      const waiter = this.pending.get(frame.id);
      this.pending.delete(frame.id);
      if (frame.ok) waiter?.resolve(frame.value);
      else waiter?.reject(new RemoteError(frame.error));
    });
  }

  public static async open(server: VeilServer): Promise<TestWebSocketTransport> {
    const token = new URL(server.url).searchParams.get('token') ?? '';
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${token}`, {
      origin: `http://127.0.0.1:${server.port}`,
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new TestWebSocketTransport(ws);
  }

  public async call(method: VeilMethod, input: unknown): Promise<unknown> {
    const id = this.nextId++;
    return await new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ type: 'call', id, method, ...(input === undefined ? {} : { input }) }));
    });
  }

  public onEvent(listener: (event: VeilEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  public close(): void {
    this.ws.close();
  }
}

type TokenEvent = Extract<VeilEvent, { type: 'generation.token' }>;
type FinishedEvent = Extract<VeilEvent, { type: 'generation.finished' }>;

/** Records every generation event from the start, so none is missed before a call's result names its message. */
class ReplyRecorder {
  private readonly tokens = new Map<string, TokenEvent[]>();
  private readonly finished = new Map<string, FinishedEvent>();
  private readonly waiters = new Set<() => void>();

  public constructor(client: VeilClient) {
    client.onEvent((event) => {
      if (event.type === 'generation.token') {
        this.tokens.set(event.messageId, [...(this.tokens.get(event.messageId) ?? []), event]);
      } else if (event.type === 'generation.finished') {
        this.finished.set(event.messageId, event);
      } else {
        return;
      }
      for (const wake of this.waiters) wake();
    });
  }

  public tokensOf(messageId: string): TokenEvent[] {
    return this.tokens.get(messageId) ?? [];
  }

  public textOf(messageId: string): string {
    return this.tokensOf(messageId)
      .map((token) => token.text)
      .join('');
  }

  public async firstToken(messageId: string): Promise<void> {
    await this.until(() => this.tokensOf(messageId).length > 0);
  }

  public async finishedOf(messageId: string): Promise<FinishedEvent> {
    await this.until(() => this.finished.has(messageId));
    return this.finished.get(messageId)!;
  }

  private async until(condition: () => boolean): Promise<void> {
    while (!condition()) {
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
      });
    }
  }
}

function message(conversation: Conversation, id: string): Conversation['messages'][number] {
  const found = conversation.messages.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`message ${id} missing`);
  return found;
}

describe('VeilService driven through the veil serve WebSocket (tiny model)', () => {
  let test: TestCore;
  let staticDir: string;
  let server: VeilServer;
  let transport: TestWebSocketTransport;
  let client: VeilClient;
  let replies: ReplyRecorder;
  let modelId: string;
  let conversationId: string;
  let firstUserId: string;
  let firstReplyId: string;
  let firstReplyContent: string;

  beforeAll(async () => {
    const modelPath = await ensureTestModel('tiny');
    test = await openTestCore();
    await test.core.settings.update({ threads: 1, contextSize: 512, gpuOffload: 'off' });
    staticDir = await fs.mkdtemp(path.join(os.tmpdir(), 'veil-renderer-'));
    await fs.writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>Veil</title>');
    server = await startVeilServer({ service: test.core.service, staticDir });
    transport = await TestWebSocketTransport.open(server);
    client = new VeilClient(transport);
    replies = new ReplyRecorder(client);
    const imported = await client.call('models.import', { path: modelPath, mode: 'reference', name: 'tiny' });
    modelId = imported.id;
  });

  afterAll(async () => {
    transport?.close();
    await server?.close();
    await test?.remove();
    if (staticDir !== undefined) await fs.rm(staticDir, { recursive: true, force: true });
  });

  it('lists the imported model, loads it on demand and reports it loaded', async () => {
    const before = await client.call('models.list');
    expect(before).toMatchObject([
      { id: modelId, name: 'tiny', architecture: 'llama', loaded: false, status: 'ready' },
    ]);
    const loaded = await client.call('models.load', { id: modelId });
    expect(loaded).toMatchObject({ id: modelId, loaded: true });
    const after = await client.call('models.list');
    expect(after[0]).toMatchObject({ loaded: true, fit: { fits: true, contextSize: 512 } });
  });

  it('sends a message and streams the reply as token events, then persists it', async () => {
    const created = await client.call('chats.create', {
      title: 'Tiny chat',
      systemPrompt: 'You are a test model.',
      modelRef: { kind: 'local', id: modelId },
      sampling: { temperature: 0, topP: 1, topK: 0, maxTokens: 24, repeatPenalty: 1 },
    });
    conversationId = created.id;
    const sent = await client.call('chat.send', { conversationId, content: 'Say hello.' });
    const finished = await replies.finishedOf(sent.assistantMessageId);
    const tokens = replies.tokensOf(sent.assistantMessageId);

    expect(finished.finishReason === 'stop' || finished.finishReason === 'length').toBe(true);
    expect(finished.completionTokens).toBeGreaterThan(0);
    expect(finished.promptTokens).toBeGreaterThan(0);
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.length).toBeLessThanOrEqual(finished.completionTokens);

    const conversation = await client.call('chats.get', { id: conversationId });
    const stored = message(conversation, sent.assistantMessageId);
    expect(stored.content).toBe(replies.textOf(sent.assistantMessageId));
    expect(stored).toMatchObject({
      role: 'assistant',
      parentId: sent.userMessageId,
      finishReason: finished.finishReason,
      completionTokens: finished.completionTokens,
      modelRef: { kind: 'local', id: modelId },
    });
    expect(message(conversation, sent.userMessageId)).toMatchObject({
      role: 'user',
      content: 'Say hello.',
      parentId: null,
    });
    expect(conversation.activeLeafId).toBe(sent.assistantMessageId);
    expect(conversation.generatingMessageId).toBeUndefined();
    firstUserId = sent.userMessageId;
    firstReplyId = sent.assistantMessageId;
    firstReplyContent = stored.content;
  });

  it('stops a long reply mid-stream, keeping exactly the streamed text; one generation per conversation', async () => {
    await client.call('chats.updateSettings', {
      id: conversationId,
      sampling: { temperature: 0.8, topP: 0.95, topK: 40, maxTokens: 100_000, repeatPenalty: 1, seed: 7 },
    });
    const sent = await client.call('chat.send', { conversationId, content: 'Tell me a very long story.' });
    await replies.firstToken(sent.assistantMessageId);

    const during = await client.call('chats.get', { id: conversationId });
    expect(during.generatingMessageId).toBe(sent.assistantMessageId);
    await expect(client.call('chat.send', { conversationId, content: 'again' })).rejects.toMatchObject({
      name: 'GenerationInProgressError',
    });

    await client.call('chat.stop', { conversationId });
    const finished = await replies.finishedOf(sent.assistantMessageId);
    expect(finished.finishReason).toBe('aborted');
    expect(finished.completionTokens).toBeLessThan(100_000);
    const conversation = await client.call('chats.get', { id: conversationId });
    const stored = message(conversation, sent.assistantMessageId);
    expect(stored.finishReason).toBe('aborted');
    expect(stored.content).toBe(replies.textOf(sent.assistantMessageId));
    expect(stored.content.length).toBeGreaterThan(0);
    expect(conversation.generatingMessageId).toBeUndefined();

    await client.call('chats.updateSettings', {
      id: conversationId,
      sampling: { temperature: 0, topP: 1, topK: 0, maxTokens: 24, repeatPenalty: 1 },
    });
  });

  it('regenerates a reply as a new sibling and keeps the old version', async () => {
    const regenerated = await client.call('chat.regenerate', { conversationId, messageId: firstReplyId });
    await replies.finishedOf(regenerated.assistantMessageId);
    expect(regenerated.assistantMessageId).not.toBe(firstReplyId);

    const conversation = await client.call('chats.get', { id: conversationId });
    const siblings = conversation.messages.filter((m) => m.parentId === firstUserId).map((m) => m.id);
    expect(siblings).toEqual([firstReplyId, regenerated.assistantMessageId]);
    expect(message(conversation, firstReplyId).content).toBe(firstReplyContent);
    expect(conversation.activeLeafId).toBe(regenerated.assistantMessageId);
  });

  it('edits a user message into a new branch and keeps both versions', async () => {
    const edited = await client.call('chat.edit', {
      conversationId,
      messageId: firstUserId,
      content: 'Say goodbye.',
    });
    const finished = await replies.finishedOf(edited.assistantMessageId);
    expect(finished.finishReason).not.toBe('error');

    const conversation = await client.call('chats.get', { id: conversationId });
    const versions = conversation.messages.filter((m) => m.parentId === null);
    expect(versions.map((m) => m.content)).toEqual(['Say hello.', 'Say goodbye.']);
    expect(message(conversation, edited.userMessageId).parentId).toBeNull();
    expect(message(conversation, edited.assistantMessageId).parentId).toBe(edited.userMessageId);
    expect(conversation.activeLeafId).toBe(edited.assistantMessageId);

    const switched = await client.call('chat.switchBranch', { conversationId, messageId: firstUserId });
    // The newest leaf below the first version: the regenerated reply (the later of its two replies).
    const regeneratedId = switched.messages.filter((m) => m.parentId === firstUserId).at(-1)?.id;
    expect(switched.activeLeafId).toBe(regeneratedId);
  });

  it('refuses a second reply on an unknown model and a network model with clear errors', async () => {
    const network = await client.call('chats.create', { modelRef: { kind: 'network', id: 'some-model' } });
    await expect(
      client.call('chat.send', { conversationId: network.id, content: 'hi' }),
    ).rejects.toMatchObject({
      name: 'NetworkModelsUnavailableError',
      message: expect.stringMatching(/requester issue/),
    });
    const none = await client.call('chats.create', {});
    await expect(client.call('chat.send', { conversationId: none.id, content: 'hi' })).rejects.toMatchObject({
      name: 'NoModelSelectedError',
    });
    // Nothing was written for the refused sends.
    expect((await client.call('chats.get', { id: none.id })).messages).toEqual([]);
  });

  it('reports system info from the engine it created with the settings', async () => {
    const info = await client.call('system.getInfo');
    expect(info).toMatchObject({
      appVersion: '0.0.0-test',
      mode: 'browser',
      threads: 1,
      chatKey: { kind: 'keyFile' },
    });
    expect(info.dataDir).toBe(test.home);
    const fit = await client.call('models.estimateFit', { id: modelId, contextSize: 1024 });
    expect(fit).toMatchObject({ fits: true, contextSize: 1024, gpuLayers: 0 });
  });

  it('stops a running reply when the core is disposed, and keeps the history across a restart', async () => {
    const before = await client.call('chats.get', { id: conversationId });
    await client.call('chats.updateSettings', {
      id: conversationId,
      sampling: { temperature: 0.8, topP: 0.95, topK: 40, maxTokens: 100_000, repeatPenalty: 1, seed: 3 },
    });
    const sent = await client.call('chat.send', { conversationId, content: 'One more long one.' });
    await replies.firstToken(sent.assistantMessageId);
    transport.close();
    await server.close();
    const oldService = test.core.service;
    await Promise.all([test.close(), test.close()]);
    await expect(oldService['chats.list']()).rejects.toMatchObject({ name: 'ServiceDisposedError' });

    test = await openTestCore(test.home);
    server = await startVeilServer({ service: test.core.service, staticDir });
    transport = await TestWebSocketTransport.open(server);
    client = new VeilClient(transport);
    replies = new ReplyRecorder(client);
    const after = await client.call('chats.get', { id: conversationId });
    expect(after.messages.slice(0, before.messages.length)).toEqual(before.messages);
    expect(after.messages).toHaveLength(before.messages.length + 2);
    const reply = message(after, sent.assistantMessageId);
    expect(reply.finishReason).toBe('aborted');
    expect(reply.content.length).toBeGreaterThan(0);
    expect(after.activeLeafId).toBe(sent.assistantMessageId);
    expect(after.generatingMessageId).toBeUndefined();
  });

  it('unloads and removes a model', async () => {
    await client.call('models.load', { id: modelId, contextSize: 512 });
    expect((await client.call('models.list'))[0]?.loaded).toBe(true);
    await client.call('models.unload', { id: modelId });
    expect((await client.call('models.list'))[0]?.loaded).toBe(false);
    // With no model loaded, a new thread count restarts the engine the service owns.
    await client.call('settings.update', { threads: 2 });
    expect((await client.call('system.getInfo')).threads).toBe(2);
    await client.call('models.load', { id: modelId });
    await client.call('models.remove', { id: modelId });
    expect(await client.call('models.list')).toEqual([]);
    await expect(client.call('models.load', { id: modelId })).rejects.toMatchObject({
      name: 'ModelNotFoundError',
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTestModel } from '../../test/fixtures/testModels';
import { Engine } from './Engine';
import { InvalidGenerateRequestError, ModelDisposedError } from './engineErrors';
import type { ChatMessage, GenerateResult, TokenEvent } from './generationTypes';
import type { LoadedModel } from './LoadedModel';

const SYSTEM: ChatMessage = { role: 'system', content: 'You are a test model.' };

function conversation(userText: string): ChatMessage[] {
  return [SYSTEM, { role: 'user', content: userText }];
}

describe('LoadedModel (tiny generated model)', () => {
  let engine: Engine;
  let model: LoadedModel;
  let modelPath: string;

  beforeAll(async () => {
    modelPath = await ensureTestModel('tiny');
    engine = await Engine.create({ backend: 'cpu', threads: 1, logLevel: 'error' });
    model = await engine.loadModel({ modelPath, contextSize: 512, sequences: 2 });
  });

  afterAll(async () => {
    await engine?.dispose();
  });

  it('streams chunks whose text and token counts add up to the result', async () => {
    const events: TokenEvent[] = [];
    const result = await model.generate(
      { messages: conversation('Hello there'), maxTokens: 24 },
      { onToken: (event) => events.push(event) },
    );
    expect(events.length).toBeGreaterThan(0);
    expect(events.map((event) => event.text).join('')).toBe(result.text);
    expect(events.reduce((sum, event) => sum + event.tokenCount, 0)).toBe(result.completionTokens);
    expect(result.text.length).toBeGreaterThan(0);
  });

  it('stops at maxTokens with finishReason length and exactly that many completion tokens', async () => {
    for (const maxTokens of [1, 7, 19]) {
      const result = await model.generate({ messages: conversation('Count please'), maxTokens });
      expect(result.finishReason).toBe('length');
      expect(result.completionTokens).toBe(maxTokens);
    }
  });

  it('counts the rendered prompt: consistent with countPromptTokens and growing with the prompt', async () => {
    const short = conversation('Hi');
    const long = conversation('Hi, this prompt is a good deal longer than the other one, by many words.');
    const shortResult = await model.generate({ messages: short, maxTokens: 2 });
    const longResult = await model.generate({ messages: long, maxTokens: 2 });
    expect(shortResult.promptTokens).toBe(model.countPromptTokens(short));
    expect(longResult.promptTokens).toBe(model.countPromptTokens(long));
    // The template wraps the same system prompt around both; only the user text differs.
    const extraTokens =
      model.countTokens(long[1]?.content ?? '') - model.countTokens(short[1]?.content ?? '');
    expect(longResult.promptTokens - shortResult.promptTokens).toBe(extraTokens);
    expect(extraTokens).toBeGreaterThan(5);
  });

  it('is deterministic: greedy twice gives the same text, a seed reproduces a sampled answer', async () => {
    const messages = conversation('Tell me something');
    const greedyA = await model.generate({ messages, maxTokens: 30 });
    const greedyB = await model.generate({ messages, maxTokens: 30 });
    expect(greedyB.text).toBe(greedyA.text);

    const sampled = { messages, maxTokens: 30, temperature: 1.2, topK: 0, topP: 1 };
    const seededA = await model.generate({ ...sampled, seed: 1234 });
    const seededB = await model.generate({ ...sampled, seed: 1234 });
    const otherSeed = await model.generate({ ...sampled, seed: 99 });
    expect(seededB.text).toBe(seededA.text);
    expect(otherSeed.text).not.toBe(seededA.text);
  });

  it('gives the same greedy text for concurrent generations as for sequential ones (more than there are sequences)', async () => {
    // Prompts the random-weight model answers differently, so a mix-up between sequences would show.
    const conversations: ChatMessage[][] = ['Hello', '12345 67890', 'zebra quartz jumps'].map((text) => [
      { role: 'system', content: 'x' },
      { role: 'user', content: text },
    ]);
    const sequential: string[] = [];
    for (const messages of conversations)
      sequential.push((await model.generate({ messages, maxTokens: 40 })).text);
    expect(new Set(sequential).size).toBe(conversations.length);

    const concurrent = await Promise.all(
      conversations.map(async (messages) => await model.generate({ messages, maxTokens: 40 })),
    );
    expect(concurrent.map((result) => result.text)).toEqual(sequential);
    expect(concurrent.every((result) => result.finishReason === 'length')).toBe(true);
    expect(model.queued).toBe(0);
  });

  it('stops on a stop string, which is left out of the text', async () => {
    const messages = conversation('Say something long');
    const full = await model.generate({ messages, maxTokens: 30 });
    const words = full.text.split(' ').filter((word) => word.length >= 2);
    const stop = words[Math.min(3, words.length - 1)];
    expect(stop).toBeDefined();
    const stopped = await model.generate({ messages, maxTokens: 30, stop: [stop ?? ''] });
    expect(stopped.finishReason).toBe('stop');
    expect(stopped.text).toBe(full.text.slice(0, full.text.indexOf(stop ?? '')));
  });

  it('aborts mid-generation: no chunk after abort(), the partial text, and the sequence is free again', async () => {
    const controller = new AbortController();
    const streamed: string[] = [];
    let afterAbort = 0;
    let abortedAt = 0;
    const result = await model.generate(
      { messages: conversation('Go on and on'), maxTokens: 400 },
      {
        signal: controller.signal,
        onToken: (event) => {
          if (controller.signal.aborted) afterAbort += 1;
          streamed.push(event.text);
          if (streamed.length === 5) {
            abortedAt = performance.now();
            controller.abort();
          }
        },
      },
    );
    const stopMs = performance.now() - abortedAt;
    expect(result.finishReason).toBe('aborted');
    expect(afterAbort).toBeLessThanOrEqual(1);
    expect(afterAbort).toBe(0);
    expect(result.text).toBe(streamed.join(''));
    expect(result.completionTokens).toBe(5);
    // Far below the 395 tokens left: it stopped after the token in flight.
    const perToken = await timePerToken(model);
    expect(stopMs).toBeLessThan(Math.max(50, perToken * 20));
    expect(model.queued).toBe(0);
  });

  it('resolves as aborted at once when the signal is already aborted', async () => {
    const result = await model.generate(
      { messages: conversation('Never mind'), maxTokens: 10 },
      { signal: AbortSignal.abort() },
    );
    expect(result).toMatchObject({ finishReason: 'aborted', text: '', completionTokens: 0 });
  });

  it('aborts a generation waiting for a sequence without disturbing the running ones', async () => {
    const stopRunning = new AbortController();
    const running = [0, 1].map(
      async (index) =>
        await model.generate(
          { messages: conversation(`Busy ${index}`), maxTokens: 400 },
          { signal: stopRunning.signal },
        ),
    );
    const queuedAbort = new AbortController();
    const queued = model.generate(
      { messages: conversation('Waiting in line'), maxTokens: 10 },
      { signal: queuedAbort.signal },
    );
    await waitFor(() => model.queued === 1);
    queuedAbort.abort();
    const queuedResult = await queued;
    expect(queuedResult).toMatchObject({ finishReason: 'aborted', completionTokens: 0, text: '' });
    expect(model.queued).toBe(0);
    stopRunning.abort();
    const results = await Promise.all(running);
    expect(results.map((result) => result.finishReason)).toEqual(['aborted', 'aborted']);
  });

  it('turns an error during generation into finishReason error and keeps serving', async () => {
    const result = await model.generate(
      { messages: conversation('Break'), maxTokens: 20 },
      {
        onToken: () => {
          throw new RangeError('consumer failed');
        },
      },
    );
    expect(result.finishReason).toBe('error');
    expect(result.error).toEqual({ name: 'RangeError', message: 'consumer failed' });
    const after = await model.generate({ messages: conversation('Still there?'), maxTokens: 3 });
    expect(after.finishReason).toBe('length');
  });

  it('rejects malformed requests with InvalidGenerateRequestError', async () => {
    await expect(model.generate({ messages: [] })).rejects.toBeInstanceOf(InvalidGenerateRequestError);
    await expect(model.generate({ messages: conversation('x'), temperature: -1 })).rejects.toThrow(
      /temperature/,
    );
    await expect(model.generate({ messages: conversation('x'), maxTokens: 0 })).rejects.toThrow(/maxTokens/);
  });

  it('streams through the async iterator and returns the same result as generate', async () => {
    const request = { messages: conversation('Iterate'), maxTokens: 12 };
    const expected = await model.generate(request);
    const iterator = model.stream(request);
    const texts: string[] = [];
    let step = await iterator.next();
    while (step.done !== true) {
      texts.push(step.value.text);
      step = await iterator.next();
    }
    const result: GenerateResult = step.value;
    expect(result).toEqual(expected);
    expect(texts.join('')).toBe(expected.text);
  });

  it('aborts the generation when the iterator loop exits early', async () => {
    let chunks = 0;
    for await (const _event of model.stream({ messages: conversation('Leave early'), maxTokens: 400 })) {
      chunks += 1;
      if (chunks === 3) break;
    }
    expect(chunks).toBe(3);
    // Both sequences are free again: two generations run without queueing.
    const both = await Promise.all([
      model.generate({ messages: conversation('a'), maxTokens: 2 }),
      model.generate({ messages: conversation('b'), maxTokens: 2 }),
    ]);
    expect(both.map((result) => result.finishReason)).toEqual(['length', 'length']);
  });

  it('ends running and queued generations with ModelDisposedError on dispose, then refuses new work', async () => {
    const second = await engine.loadModel({ modelPath, contextSize: 256, sequences: 1 });
    let started = false;
    const running = second.generate(
      { messages: conversation('Long'), maxTokens: 400 },
      {
        onToken: () => {
          started = true;
        },
      },
    );
    const queued = second.generate({ messages: conversation('Queued'), maxTokens: 5 });
    await waitFor(() => started);
    await second.dispose();
    const [runningResult, queuedResult] = await Promise.all([running, queued]);
    expect(runningResult.finishReason).toBe('error');
    expect(runningResult.error?.name).toBe('ModelDisposedError');
    expect(runningResult.completionTokens).toBeGreaterThan(0);
    expect(queuedResult).toMatchObject({ finishReason: 'error', completionTokens: 0 });
    expect(queuedResult.error?.name).toBe('ModelDisposedError');

    expect(second.disposed).toBe(true);
    await expect(second.generate({ messages: conversation('x') })).rejects.toBeInstanceOf(ModelDisposedError);
    expect(() => second.countTokens('x')).toThrow(ModelDisposedError);
    expect(engine.loadedModels).toEqual([model]);
  });
});

async function timePerToken(model: LoadedModel): Promise<number> {
  const start = performance.now();
  await model.generate({ messages: conversation('Timing'), maxTokens: 10 });
  return (performance.now() - start) / 10;
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('waitFor: condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

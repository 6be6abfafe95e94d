import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashSealedRequest } from './hashSealedRequest';
import { ResponseStreamReader } from './ResponseStreamReader';
import { ResponseStreamWriter } from './ResponseStreamWriter';
import { sealRequest } from './sealRequest';
import { verifyUsageRecord } from './UsageRecord';
import { createProtocolWorld, TEST_MODEL, TEST_SAMPLING, testContent } from './protocolTestKit';
import type { ProtocolWorld } from './protocolTestKit';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

describe('sealed request round trip (PROTOCOL.md §5–§7)', () => {
  let world: ProtocolWorld;
  beforeEach(async () => {
    world = await createProtocolWorld();
  });
  afterEach(async () => {
    await world.dispose();
  });

  it('delivers the prompt to the provider and a verified, receipted answer to the requester', async () => {
    const pending = await sealRequest(world.certificate, testContent('What is the capital of France?'), {
      now: world.clock.value,
    });
    const opened = await world.keyring.openSealedRequest(pending.sealedRequest);
    expect(opened.messages).toEqual([{ role: 'user', content: 'What is the capital of France?' }]);
    expect(opened.model.id).toBe(TEST_MODEL.id);
    expect(opened.sampling).toEqual(TEST_SAMPLING);
    expect(opened.requestId).toEqual(pending.requestId);
    expect(await hashSealedRequest(pending.sealedRequest)).toEqual(opened.sealedRequestHash);

    const writer = await ResponseStreamWriter.create({
      request: opened,
      identity: world.identity,
      backend: 'cpu',
      appVersion: '0.1.0',
      now: world.clock.now,
    });
    const frames = [
      writer.pushTokens(encoder.encode('Paris')),
      writer.pushTokens(encoder.encode(' is the capital.')),
    ];
    world.clock.value += 1500;
    const finished = writer.finish({ prompt: 12, completion: 6 });
    frames.push(finished.frame);

    const reader = await ResponseStreamReader.create(pending, writer.header);
    let text = '';
    for (const frame of frames) {
      const event = reader.pull(frame);
      if (event.type === 'tokens') text += decoder.decode(event.text);
    }
    const outcome = reader.end();
    expect(text).toBe('Paris is the capital.');
    expect(outcome.type).toBe('final');
    if (outcome.type !== 'final') return;
    expect(outcome.receipt.tokens).toEqual({ prompt: 12, completion: 6 });
    expect(outcome.receipt.finishedAt - outcome.receipt.startedAt).toBe(1500);
    expect(outcome.receipt.requestId).toEqual(pending.requestId);

    const usage = await verifyUsageRecord(finished.usageRecord, world.identity.publicKey);
    expect(usage.transcriptCommitment).toEqual(
      pending.expectedTranscriptCommitment(outcome.receipt.responseHash),
    );
    expect(usage.requestId).toEqual(pending.requestId);
    opened.dispose();
    pending.dispose();
  });

  it('carries provider errors inside the stream as a terminal outcome', async () => {
    const pending = await sealRequest(world.certificate, testContent('hi'), { now: world.clock.value });
    const opened = await world.keyring.openSealedRequest(pending.sealedRequest);
    const writer = await ResponseStreamWriter.create({
      request: opened,
      identity: world.identity,
      backend: 'cpu',
      appVersion: '0.1.0',
    });
    const frame = writer.fail('MODEL_UNAVAILABLE', 'model not loaded');
    const reader = await ResponseStreamReader.create(pending, writer.header);
    expect(reader.pull(frame)).toMatchObject({ type: 'error', code: 'MODEL_UNAVAILABLE' });
    expect(reader.end()).toEqual({ type: 'error', code: 'MODEL_UNAVAILABLE', message: 'model not loaded' });
    expect(() => writer.pushTokens(encoder.encode('late'))).toThrow(
      expect.objectContaining({ code: 'STREAM_CLOSED' }),
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VEIL_METHODS, veilContract } from '../contract/veilContract';
import { dispatchCall, toErrorInfo, veilIpcHandlers } from './dispatchCall';
import { openTestCore, type TestCore } from './openTestCore';

describe('dispatchCall (real service, no model)', () => {
  let test: TestCore;
  beforeAll(async () => {
    test = await openTestCore();
  });
  afterAll(async () => {
    await test.remove();
  });

  it('refuses an unknown method and names it only when it looks like a method name', async () => {
    expect(await dispatchCall(test.core.service, 'chats.explode', undefined)).toEqual({
      ok: false,
      error: { name: 'UnknownMethodError', message: 'dispatch: unknown method "chats.explode"' },
    });
    const odd = await dispatchCall(test.core.service, 'x <script>secret</script>', undefined);
    expect(odd).toEqual({
      ok: false,
      error: { name: 'UnknownMethodError', message: 'dispatch: unknown method' },
    });
    expect(await dispatchCall(test.core.service, 42, undefined)).toMatchObject({ ok: false });
    // Inherited object keys are not methods.
    expect(await dispatchCall(test.core.service, 'constructor', undefined)).toMatchObject({
      ok: false,
      error: { name: 'UnknownMethodError' },
    });
  });

  it('rejects invalid input naming the method and the field, without echoing the value', async () => {
    const outcome = await dispatchCall(test.core.service, 'chats.rename', { id: 'abc', title: 42 });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.name).toBe('InvalidArgumentError');
    expect(outcome.error.message).toMatch(/^chats\.rename: title: /);

    const secret = 'my secret prompt text';
    const extra = await dispatchCall(test.core.service, 'chat.send', {
      conversationId: 'c',
      content: secret,
      x: 1,
    });
    expect(extra).toMatchObject({ ok: false, error: { name: 'InvalidArgumentError' } });
    expect(JSON.stringify(extra)).not.toContain(secret);

    const missing = await dispatchCall(test.core.service, 'settings.update', { contextSize: 10 });
    expect(missing).toMatchObject({ ok: false, error: { message: expect.stringMatching(/contextSize/) } });
  });

  it('returns values that pass the output schema', async () => {
    const created = await dispatchCall(test.core.service, 'chats.create', { title: 'Hello' });
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    expect(veilContract['chats.create'].output.parse(created.value)).toMatchObject({
      title: 'Hello',
      messages: [],
    });
    const listed = await dispatchCall(test.core.service, 'chats.list', undefined);
    expect(listed).toMatchObject({ ok: true, value: [{ title: 'Hello', messageCount: 0 }] });
  });

  it("reduces the core's errors to {name, message} without stack or cause", async () => {
    const outcome = await dispatchCall(test.core.service, 'chats.get', { id: 'f'.repeat(32) });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.name).toBe('ConversationNotFoundError');
    expect(Object.keys(outcome.error).sort()).toEqual(['message', 'name']);
    expect(outcome.error.message).not.toMatch(/\n\s+at /);
  });

  it('answers the later-issue methods with their placeholders', async () => {
    expect(await dispatchCall(test.core.service, 'network.listModels', undefined)).toEqual({
      ok: true,
      value: [],
    });
    expect(await dispatchCall(test.core.service, 'provider.getStatus', undefined)).toMatchObject({
      ok: true,
      value: { state: 'off', jobsServed: 0, earnedCredits: 0 },
    });
  });

  it('describes a thrown non-Error without echoing it', () => {
    expect(toErrorInfo('the user typed this', 'chat.send')).toEqual({
      name: 'Error',
      message: 'chat.send: the call failed with a non-Error value',
    });
    const long = new Error('x'.repeat(10_000));
    expect(toErrorInfo(long).message).toHaveLength(4000);
  });

  it('builds one IPC handler per contract method that calls the service', async () => {
    const handlers = veilIpcHandlers(test.core.service);
    expect(Object.keys(handlers).sort()).toEqual([...VEIL_METHODS].sort());
    expect(handlers['chats.rename'].schema).toBe(veilContract['chats.rename'].input);
    expect(await handlers['network.listModels'].handler(undefined)).toEqual([]);
    const failure = await handlers['chats.get'].handler({ id: 'e'.repeat(32) }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).name).toBe('ConversationNotFoundError');
  });
});

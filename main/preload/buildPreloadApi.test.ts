import { describe, expect, it } from 'vitest';
import { buildPreloadApi, type IpcRendererLike } from './buildPreloadApi';

type Listener = (event: unknown, ...args: unknown[]) => void;

class FakeIpcRenderer implements IpcRendererLike {
  public readonly invocations: unknown[][] = [];
  public readonly listeners = new Map<string, Set<Listener>>();

  public async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invocations.push([channel, ...args]);
    return { ok: true, value: `answer from ${channel}` };
  }

  public on(channel: string, listener: Listener): this {
    const set = this.listeners.get(channel) ?? new Set();
    set.add(listener);
    this.listeners.set(channel, set);
    return this;
  }

  public removeListener(channel: string, listener: Listener): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }

  public emit(channel: string, payload: unknown): void {
    const senderObject = { sender: this };
    for (const listener of this.listeners.get(channel) ?? []) listener(senderObject, payload);
  }
}

describe('buildPreloadApi', () => {
  it('exposes exactly the named methods, each bound to its own channel with one argument', async () => {
    const ipc = new FakeIpcRenderer();
    const api = buildPreloadApi(ipc, ['system.getInfo', 'chats.get']);

    expect(Object.keys(api.methods).sort()).toEqual(['chats.get', 'system.getInfo']);
    const call = api.methods['chats.get'] as (input: unknown, extra: unknown) => Promise<unknown>;
    expect(await call({ id: 'c1' }, 'smuggled')).toEqual({ ok: true, value: 'answer from veil:chats.get' });
    expect(ipc.invocations).toEqual([['veil:chats.get', { id: 'c1' }]]);
    expect(Object.isFrozen(api) && Object.isFrozen(api.methods)).toBe(true);
  });

  it('forwards event payloads only, never the IPC event, until unsubscribed', () => {
    const ipc = new FakeIpcRenderer();
    const api = buildPreloadApi(ipc, []);
    const received: unknown[] = [];

    const unsubscribe = api.onEvent((event) => received.push(event));
    ipc.emit('veil:event', { type: 'models.changed' });
    ipc.emit('veil:other', { type: 'ignored' });
    unsubscribe();
    ipc.emit('veil:event', { type: 'chats.changed' });

    expect(received).toEqual([{ type: 'models.changed' }]);
    expect(ipc.listeners.get('veil:event')?.size).toBe(0);
  });
});

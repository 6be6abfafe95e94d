import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { VeilError } from '../../app/errors/VeilError';
import { VEIL_EVENT_CHANNEL } from './channels';
import { createEventSender } from './createEventSender';
import type { IpcResult } from './IpcResult';
import {
  defineIpcMethod,
  registerIpcHandlers,
  type IpcInvokeEventLike,
  type IpcMainLike,
  type IpcSenderFrame,
} from './registerIpcHandlers';

const APP_URL = 'file:///opt/Veil/resources/app.asar/out/renderer/index.html';

type Listener = (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<IpcResult>;

/** Records handlers the way Electron's ipcMain does, including its refusal of a second handler per channel. */
class FakeIpcMain implements IpcMainLike {
  public readonly listeners = new Map<string, Listener>();

  public handle(channel: string, listener: Listener): void {
    if (this.listeners.has(channel)) throw new Error(`second handler for ${channel}`);
    this.listeners.set(channel, listener);
  }

  public removeHandler(channel: string): void {
    this.listeners.delete(channel);
  }

  public async invoke(channel: string, frame: IpcSenderFrame | null, ...args: unknown[]): Promise<IpcResult> {
    const listener = this.listeners.get(channel);
    if (listener === undefined) throw new Error(`no handler for ${channel}`);
    return await listener({ senderFrame: frame }, ...args);
  }
}

class ModelMissingError extends VeilError {}

function setUp() {
  const ipcMain = new FakeIpcMain();
  const windowFrame: IpcSenderFrame = { url: APP_URL };
  const calls: unknown[] = [];
  const registration = registerIpcHandlers(
    {
      ipcMain,
      getTrustedFrame: () => windowFrame,
      isAppUrl: (url) => url === APP_URL,
    },
    {
      'models.load': defineIpcMethod(
        z.strictObject({ id: z.string().min(1), contextSize: z.number().int() }),
        async (input) => {
          calls.push(input);
          return { loaded: input.id };
        },
      ),
      'models.fail': defineIpcMethod(z.undefined(), async () => {
        throw new ModelMissingError('loadModel: no model with that id', {
          cause: new Error('ENOENT /secret/path'),
        });
      }),
      'models.throwString': defineIpcMethod(z.undefined(), async () => {
        throw 'a prompt the user typed';
      }),
    },
  );
  return { ipcMain, windowFrame, calls, registration };
}

describe('registerIpcHandlers', () => {
  it('registers one veil:<method> channel per method and answers a valid call from the window', async () => {
    const { ipcMain, windowFrame, calls } = setUp();
    expect([...ipcMain.listeners.keys()].sort()).toEqual([
      'veil:models.fail',
      'veil:models.load',
      'veil:models.throwString',
    ]);

    const result = await ipcMain.invoke('veil:models.load', windowFrame, { id: 'm1', contextSize: 4096 });

    expect(result).toEqual({ ok: true, value: { loaded: 'm1' } });
    expect(calls).toEqual([{ id: 'm1', contextSize: 4096 }]);
  });

  it('refuses a call from a frame that is not the window top frame, without running the handler', async () => {
    const { ipcMain, calls } = setUp();
    const childFrame: IpcSenderFrame = { url: APP_URL };

    const result = await ipcMain.invoke('veil:models.load', childFrame, { id: 'm1', contextSize: 4096 });

    expect(result).toMatchObject({ ok: false, error: { name: 'IpcSenderRejectedError' } });
    expect(calls).toEqual([]);
  });

  it('refuses a call once the sender frame is gone', async () => {
    const { ipcMain, calls } = setUp();

    const result = await ipcMain.invoke('veil:models.load', null, { id: 'm1', contextSize: 4096 });

    expect(result).toMatchObject({ ok: false, error: { name: 'IpcSenderRejectedError' } });
    expect(calls).toEqual([]);
  });

  it('refuses a call from the window frame after it navigated to a foreign page', async () => {
    const { ipcMain, windowFrame, calls } = setUp();
    const navigated = windowFrame as { url: string };
    navigated.url = 'https://evil.example/';

    const result = await ipcMain.invoke('veil:models.load', windowFrame, { id: 'm1', contextSize: 4096 });

    expect(result).toEqual({
      ok: false,
      error: {
        name: 'IpcSenderRejectedError',
        message: "models.load: refused a call from a page that is not Veil's",
      },
    });
    expect(calls).toEqual([]);
  });

  it('refuses an invalid argument with an error naming the field, and never echoes the value', async () => {
    const { ipcMain, windowFrame, calls } = setUp();

    const result = await ipcMain.invoke('veil:models.load', windowFrame, {
      id: 'secret-value',
      contextSize: 'big',
    });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.name).toBe('IpcArgumentError');
    expect(result.error.message).toMatch(/^models\.load: invalid argument: contextSize: /);
    expect(result.error.message).not.toContain('big');
    expect(result.error.message).not.toContain('secret-value');
    expect(calls).toEqual([]);
  });

  it('refuses unknown fields and extra arguments', async () => {
    const { ipcMain, windowFrame, calls } = setUp();

    const extraField = await ipcMain.invoke('veil:models.load', windowFrame, {
      id: 'm',
      contextSize: 1,
      path: '/',
    });
    const extraArgument = await ipcMain.invoke(
      'veil:models.load',
      windowFrame,
      { id: 'm', contextSize: 1 },
      'more',
    );

    expect(extraField).toMatchObject({ ok: false, error: { name: 'IpcArgumentError' } });
    expect(extraArgument).toEqual({
      ok: false,
      error: { name: 'IpcArgumentError', message: 'models.load: expected at most one argument, got 2' },
    });
    expect(calls).toEqual([]);
  });

  it('passes a thrown error as exactly {name, message}: no stack, no cause', async () => {
    const { ipcMain, windowFrame } = setUp();

    const result = await ipcMain.invoke('veil:models.fail', windowFrame);

    expect(result).toStrictEqual({
      ok: false,
      error: { name: 'ModelMissingError', message: 'loadModel: no model with that id' },
    });
    expect(JSON.stringify(result)).not.toContain('/secret/path');
  });

  it('describes a thrown non-Error without echoing it', async () => {
    const { ipcMain, windowFrame } = setUp();

    const result = await ipcMain.invoke('veil:models.throwString', windowFrame);

    expect(result).toStrictEqual({
      ok: false,
      error: { name: 'Error', message: 'models.throwString: the call failed with a non-Error value' },
    });
  });

  it('removes its channels on dispose, once', () => {
    const { ipcMain, registration } = setUp();

    registration.dispose();
    registration.dispose();

    expect(ipcMain.listeners.size).toBe(0);
  });
});

describe('createEventSender', () => {
  it('pushes events on veil:event while the window lives, and drops them otherwise', () => {
    const sent: unknown[][] = [];
    let destroyed = false;
    let hasWindow = true;
    const send = createEventSender(() =>
      hasWindow ? { isDestroyed: () => destroyed, send: (...args: unknown[]) => sent.push(args) } : undefined,
    );

    send({ type: 'models.changed' });
    destroyed = true;
    send({ type: 'chats.changed' });
    hasWindow = false;
    send({ type: 'chats.changed' });

    expect(sent).toEqual([[VEIL_EVENT_CHANNEL, { type: 'models.changed' }]]);
  });
});

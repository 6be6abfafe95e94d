import { EventEmitter } from 'node:events';
import type { Session } from 'electron';
import { describe, expect, it } from 'vitest';
import { denyAllPermissions } from './denyAllPermissions';

type AnyHandler = (...args: unknown[]) => unknown;

/** Records every handler denyAllPermissions installs; Electron's session cannot be created here. */
class FakeSession extends EventEmitter {
  public readonly handlers = new Map<string, AnyHandler>();
  public setPermissionRequestHandler(handler: AnyHandler) {
    this.handlers.set('request', handler);
  }
  public setPermissionCheckHandler(handler: AnyHandler) {
    this.handlers.set('check', handler);
  }
  public setDevicePermissionHandler(handler: AnyHandler) {
    this.handlers.set('device', handler);
  }
  public setDisplayMediaRequestHandler(handler: AnyHandler) {
    this.handlers.set('displayMedia', handler);
  }
  public setBluetoothPairingHandler(handler: AnyHandler) {
    this.handlers.set('bluetooth', handler);
  }
}

describe('denyAllPermissions', () => {
  it('refuses every permission request, check, device and capture', () => {
    const session = new FakeSession();
    denyAllPermissions(session as unknown as Session);
    const answers: unknown[] = [];
    const answer = (value?: unknown) => answers.push(value);

    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
      session.handlers.get('request')?.({}, permission, answer, {});
      expect(session.handlers.get('check')?.({}, permission, 'file://', {})).toBe(false);
    }
    expect(session.handlers.get('device')?.({ deviceType: 'usb' })).toBe(false);
    session.handlers.get('displayMedia')?.({}, answer);
    session.handlers.get('bluetooth')?.({}, answer);

    expect(answers).toEqual([false, false, false, false, false, {}, { confirmed: false }]);
  });

  it('cancels device pickers', () => {
    const session = new FakeSession();
    denyAllPermissions(session as unknown as Session);
    for (const name of ['select-hid-device', 'select-serial-port', 'select-usb-device']) {
      let prevented = false;
      const chosen: unknown[] = [];
      const event = { preventDefault: () => (prevented = true) };
      const callback = (...args: unknown[]) => chosen.push(args[0]);
      if (name === 'select-serial-port') session.emit(name, event, [], {}, callback);
      else session.emit(name, event, {}, callback);
      expect(prevented).toBe(true);
      expect(chosen).toEqual([name === 'select-usb-device' ? undefined : '']);
    }
  });
});

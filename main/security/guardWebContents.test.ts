import { EventEmitter } from 'node:events';
import type { HandlerDetails, WebContents, WindowOpenHandlerResponse } from 'electron';
import { describe, expect, it } from 'vitest';
import { guardWebContents } from './guardWebContents';

const APP_URL = 'file:///opt/Veil/resources/app.asar/out/renderer/index.html';

/** Just enough of WebContents to record handlers; Electron itself cannot run here. */
class FakeWebContents extends EventEmitter {
  public windowOpenHandler: ((details: HandlerDetails) => WindowOpenHandlerResponse) | undefined;
  public setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void {
    this.windowOpenHandler = handler;
  }
}

function navigationEvent(url: string) {
  return {
    url,
    prevented: false,
    preventDefault() {
      this.prevented = true;
    },
  };
}

function setUp() {
  const contents = new FakeWebContents();
  const offered: string[] = [];
  guardWebContents(contents as unknown as WebContents, {
    isAppUrl: (url) => url === APP_URL,
    offerExternalLink: (url) => offered.push(url),
  });
  return { contents, offered };
}

describe('guardWebContents', () => {
  it('keeps navigation on the app page and offers foreign links to the browser instead', () => {
    const { contents, offered } = setUp();
    const own = navigationEvent(APP_URL);
    const foreign = navigationEvent('https://example.com/');
    contents.emit('will-navigate', own);
    contents.emit('will-navigate', foreign);

    expect(own.prevented).toBe(false);
    expect(foreign.prevented).toBe(true);
    expect(offered).toEqual(['https://example.com/']);
  });

  it('stops redirects away from the app without offering them', () => {
    const { contents, offered } = setUp();
    const redirect = navigationEvent('https://tracker.example/');
    contents.emit('will-redirect', redirect);
    expect(redirect.prevented).toBe(true);
    expect(offered).toEqual([]);
  });

  it('denies every new window and webview', () => {
    const { contents, offered } = setUp();
    const response = contents.windowOpenHandler?.({ url: 'https://example.com/x' } as HandlerDetails);
    const webview = navigationEvent('');
    contents.emit('will-attach-webview', webview);

    expect(response).toEqual({ action: 'deny' });
    expect(offered).toEqual(['https://example.com/x']);
    expect(webview.prevented).toBe(true);
  });
});

import type { WebContents } from 'electron';

export interface WebContentsGuardOptions {
  /** Whether a URL is the app's own page. */
  isAppUrl(url: string): boolean;
  /** Offers to open a link in the system browser (after confirmation); called for links the page tried to open. */
  offerExternalLink(url: string): void;
}

/**
 * Locks one webContents down: no `<webview>`, no new windows, no navigation or redirect away from the app's page,
 * no Bluetooth device choice. Applied to every webContents Electron creates (`web-contents-created`), so a
 * window added later cannot forget it. Links the page tries to follow go to {@link WebContentsGuardOptions.offerExternalLink}.
 */
export function guardWebContents(contents: WebContents, options: WebContentsGuardOptions): void {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    options.offerExternalLink(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    if (options.isAppUrl(event.url)) return;
    event.preventDefault();
    options.offerExternalLink(event.url);
  });
  contents.on('will-redirect', (event) => {
    if (!options.isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('select-bluetooth-device', (event, _devices, callback) => {
    event.preventDefault();
    callback('');
  });
}

import type { Session } from 'electron';

/**
 * The renderer's Content-Security-Policy in the packaged app: only its own scripts, no eval, no plugins, no frames,
 * no network beyond its own origin (the UI talks to the core over IPC; the WebSocket transport is for browser mode,
 * where `veil serve` sends its own header). Inline styles stay allowed because React and the Markdown view set
 * style attributes; with `img-src` limited to `'self' data:` a style cannot reach the network either.
 */
export const PRODUCTION_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The policy for `electron-vite dev` only: Vite's hot reload injects an inline React Refresh preamble and talks to
 * the dev server over a WebSocket. Never used when the app is packaged.
 */
export function developmentCsp(devServerUrl: string): string {
  const origin = new URL(devServerUrl);
  const socket = `${origin.protocol === 'https:' ? 'wss:' : 'ws:'}//${origin.host}`;
  return PRODUCTION_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "connect-src 'self'",
    `connect-src 'self' ${socket}`,
  );
}

/**
 * Adds the policy as a response header to the app's own documents. The `<meta>` tag in renderer/index.html stays as
 * a second layer, because Electron has not always delivered webRequest events for `file:` loads; when both apply,
 * the browser enforces both, so the stricter one wins.
 */
export function installContentSecurityPolicy(
  session: Session,
  isAppUrl: (url: string) => boolean,
  policy: string,
): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const isDocument = details.resourceType === 'mainFrame' || details.resourceType === 'subFrame';
    if (!isDocument || !isAppUrl(details.url)) {
      callback({});
      return;
    }
    const headers = { ...details.responseHeaders };
    // Drop any policy header of another spelling so ours is the one that applies.
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === 'content-security-policy') delete headers[name];
    }
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [policy] } });
  });
}

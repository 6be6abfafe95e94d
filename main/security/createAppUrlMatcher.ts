import { pathToFileURL } from 'node:url';

export interface AppUrlMatcherOptions {
  /** Absolute path of the built renderer's `index.html` (the page the packaged app loads). */
  readonly rendererIndexPath: string;
  /** The electron-vite dev server URL (`ELECTRON_RENDERER_URL`); only set in development. Defaults to none. */
  readonly devServerUrl?: string;
}

/**
 * Returns a predicate telling whether a URL is Veil's own page: exactly the renderer's `index.html` over `file:`
 * (any query or fragment), or any page of the dev server's origin in development. URLs are compared parsed, by
 * protocol and path or by origin, never by string prefix (`file:///app/index.html.evil` is not ours).
 */
export function createAppUrlMatcher(options: AppUrlMatcherOptions): (url: string) => boolean {
  const indexPathname = pathToFileURL(options.rendererIndexPath).pathname;
  const devOrigin = options.devServerUrl === undefined ? undefined : new URL(options.devServerUrl).origin;
  return (url) => {
    if (!URL.canParse(url)) return false;
    const parsed = new URL(url);
    if (devOrigin !== undefined) return parsed.origin === devOrigin;
    return parsed.protocol === 'file:' && parsed.host === '' && parsed.pathname === indexPathname;
  };
}

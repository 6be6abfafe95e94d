import type { HeadersReceivedResponse, OnHeadersReceivedListenerDetails, Session } from 'electron';
import { describe, expect, it } from 'vitest';
import { developmentCsp, installContentSecurityPolicy, PRODUCTION_CSP } from './contentSecurityPolicy';

type Listener = (
  details: OnHeadersReceivedListenerDetails,
  callback: (response: HeadersReceivedResponse) => void,
) => void;

/** Records the webRequest listener; Electron's session cannot be created here. */
function fakeSession() {
  let listener: Listener | undefined;
  const session = {
    webRequest: { onHeadersReceived: (l: Listener) => (listener = l) },
  } as unknown as Session;
  const respond = (details: Partial<OnHeadersReceivedListenerDetails>) => {
    let response: HeadersReceivedResponse | undefined;
    listener?.(details as OnHeadersReceivedListenerDetails, (r) => (response = r));
    return response;
  };
  return { session, respond };
}

describe('content security policy', () => {
  it('allows no eval, inline script, plugins, frames or foreign connections in production', () => {
    expect(PRODUCTION_CSP).toContain("script-src 'self';");
    expect(PRODUCTION_CSP).not.toContain('unsafe-eval');
    expect(PRODUCTION_CSP).toContain("object-src 'none'");
    expect(PRODUCTION_CSP).toContain("base-uri 'none'");
    expect(PRODUCTION_CSP).toContain("frame-ancestors 'none'");
    expect(PRODUCTION_CSP).toContain("connect-src 'self';");
  });

  it('opens only what Vite hot reload needs in development', () => {
    const dev = developmentCsp('http://localhost:5173/');
    expect(dev).toContain("script-src 'self' 'unsafe-inline';");
    expect(dev).toContain("connect-src 'self' ws://localhost:5173;");
    expect(dev).not.toContain('unsafe-eval');
  });
});

describe('installContentSecurityPolicy', () => {
  const appUrl = 'file:///app/index.html';

  it('replaces any policy header on the app document with ours', () => {
    const { session, respond } = fakeSession();
    installContentSecurityPolicy(session, (url) => url === appUrl, PRODUCTION_CSP);

    const response = respond({
      url: appUrl,
      resourceType: 'mainFrame',
      responseHeaders: { 'content-security-policy': ["script-src 'unsafe-eval'"], 'x-other': ['1'] },
    });

    expect(response).toEqual({
      responseHeaders: { 'x-other': ['1'], 'Content-Security-Policy': [PRODUCTION_CSP] },
    });
  });

  it('leaves sub-resources and foreign documents alone', () => {
    const { session, respond } = fakeSession();
    installContentSecurityPolicy(session, (url) => url === appUrl, PRODUCTION_CSP);

    expect(respond({ url: appUrl, resourceType: 'script' })).toEqual({});
    expect(respond({ url: 'https://example.com/', resourceType: 'mainFrame' })).toEqual({});
  });
});

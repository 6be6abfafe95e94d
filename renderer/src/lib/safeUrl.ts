/** Link schemes the UI will ever follow, and only after the user confirms. */
const ALLOWED_LINK_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);

/**
 * react-markdown's `urlTransform`: model output is hostile, so every URL that is not an absolute http(s) or mailto
 * URL becomes the empty string, which the link and image renderers treat as inert. Relative URLs are refused too: in
 * this page they would point into the app itself.
 */
export function safeUrlTransform(url: string): string {
  return toSafeExternalUrl(url) ?? '';
}

/** The normalised URL when it may be offered to the user to open, otherwise `undefined`. */
export function toSafeExternalUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    // The URL parser strips tabs and newlines, so `java\tscript:` is seen as `javascript:` and refused.
    parsed = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (!ALLOWED_LINK_PROTOCOLS.has(parsed.protocol)) return undefined;
  if (parsed.protocol !== 'mailto:' && parsed.hostname === '') return undefined;
  return parsed.href;
}

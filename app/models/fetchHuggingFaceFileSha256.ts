/** Header of the hub's answer on a `resolve/` URL that carries an LFS file's sha256 (before the CDN redirect). */
const LINKED_ETAG_HEADER = 'x-linked-etag';

/** Matches the header value: the hex digest, optionally quoted and marked weak. */
const LINKED_ETAG_PATTERN = /^(?:W\/)?"?([0-9a-fA-F]{64})"?$/;

/** Options of `fetchHuggingFaceFileSha256`. */
export interface FetchHuggingFaceFileSha256Options {
  readonly fetch: typeof fetch;
  /** Request headers (an `Authorization` header for gated repositories). Defaults to none. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Cancels the request. Defaults to none. */
  readonly signal?: AbortSignal;
}

/**
 * The sha256 the Hugging Face hub publishes for an LFS file, read from the `X-Linked-Etag` header of a HEAD request
 * on its `resolve/` URL (the redirect is not followed: the CDN's own ETag is something else). Undefined when the hub
 * does not say (not an LFS file, an error status, a mirror without the header, no connection): the download then
 * goes ahead unverified, and its own request reports any real problem.
 */
export async function fetchHuggingFaceFileSha256(
  url: string,
  options: FetchHuggingFaceFileSha256Options,
): Promise<string | undefined> {
  let response: Response;
  try {
    response = await options.fetch(url, {
      method: 'HEAD',
      redirect: 'manual',
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch {
    return undefined;
  }
  try {
    await response.body?.cancel();
  } catch {
    // A HEAD answer has no body worth reading; failing to discard it changes nothing.
  }
  if (response.status >= 400) return undefined;
  const match = LINKED_ETAG_PATTERN.exec(response.headers.get(LINKED_ETAG_HEADER)?.trim() ?? '');
  return match?.[1]?.toLowerCase();
}

export type AwaitOutcome<T> =
  | { readonly kind: 'value'; readonly value: T }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'aborted' };

/**
 * Waits for `promise` unless `signal` aborts first. Never rejects: a rejection comes back as `{ kind: 'error' }`, and
 * a rejection that arrives after the abort is absorbed rather than left unhandled. The caller stays responsible for
 * whatever `promise` still produces after an abort.
 */
export async function awaitUnlessAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
): Promise<AwaitOutcome<T>> {
  const settled = (async (): Promise<AwaitOutcome<T>> => {
    try {
      return { kind: 'value', value: await promise };
    } catch (error) {
      return { kind: 'error', error };
    }
  })();
  if (signal === undefined) return await settled;
  if (signal.aborted) return { kind: 'aborted' };
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<AwaitOutcome<T>>((resolve) => {
    onAbort = () => resolve({ kind: 'aborted' });
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([settled, aborted]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

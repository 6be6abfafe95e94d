import { describe, expect, it } from 'vitest';
import { awaitUnlessAborted } from './awaitUnlessAborted';

function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('awaitUnlessAborted', () => {
  it('returns the value or the error when no abort comes first', async () => {
    expect(await awaitUnlessAborted(Promise.resolve(7), undefined)).toEqual({ kind: 'value', value: 7 });
    const error = new Error('failed');
    expect(await awaitUnlessAborted(Promise.reject(error), new AbortController().signal)).toEqual({
      kind: 'error',
      error,
    });
  });

  it('returns aborted as soon as the signal aborts, and absorbs a later rejection', async () => {
    const work = deferred<number>();
    const controller = new AbortController();
    const outcome = awaitUnlessAborted(work.promise, controller.signal);
    controller.abort();
    expect(await outcome).toEqual({ kind: 'aborted' });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    work.reject(new Error('late failure'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });

  it('returns aborted at once for an already aborted signal', async () => {
    expect(await awaitUnlessAborted(new Promise<never>(() => {}), AbortSignal.abort())).toEqual({
      kind: 'aborted',
    });
  });
});

import { useCallback, useEffect, useRef, useState } from 'react';
import type { VeilEvent } from '../../../app/contract/veilContract';
import { useUi } from '../UiContext';

/** Subscribes to core events for the component's lifetime; the latest `listener` is always the one called. */
export function useVeilEvent(listener: (event: VeilEvent) => void): void {
  const { client } = useUi();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => client.onEvent((event) => latest.current(event)), [client]);
}

/**
 * Wraps an async action: `busy` while it runs, failures reported to the user (never swallowed). Returns whether it
 * succeeded, so a form can keep its input when it did not.
 */
export function useAction<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
): [run: (...args: A) => Promise<boolean>, busy: boolean] {
  const { reportError } = useUi();
  const [busy, setBusy] = useState(false);
  const latest = useRef(action);
  latest.current = action;
  const run = useCallback(
    async (...args: A) => {
      setBusy(true);
      try {
        await latest.current(...args);
        return true;
      } catch (error) {
        reportError(error);
        return false;
      } finally {
        setBusy(false);
      }
    },
    [reportError],
  );
  return [run, busy];
}

/**
 * Runs `load` now and whenever `trigger()` is called, never twice at once: triggers during a run collapse into one
 * more run after it, so a burst of change events costs at most two fetches.
 */
export function useCoalescedLoader(load: () => Promise<void>): () => void {
  const { reportError } = useUi();
  const latest = useRef(load);
  latest.current = load;
  const state = useRef({ running: false, again: false });
  return useCallback(() => {
    const run = async (): Promise<void> => {
      state.current.running = true;
      do {
        state.current.again = false;
        try {
          await latest.current();
        } catch (error) {
          reportError(error);
        }
      } while (state.current.again);
      state.current.running = false;
    };
    if (state.current.running) state.current.again = true;
    else void run();
  }, [reportError]);
}

/** `value`, once it has stopped changing for `delayMs`. */
export function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

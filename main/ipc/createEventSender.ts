import { VEIL_EVENT_CHANNEL } from './channels';

/** The part of Electron's `WebContents` that events are pushed through. */
export interface EventTargetLike {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

/**
 * Returns a function that pushes one core event to the Veil window on `veil:event`. Events raised while there is no
 * window (closed to the tray on macOS, or during shutdown) are dropped: the UI reloads its state when it comes back.
 */
export function createEventSender(getTarget: () => EventTargetLike | undefined): (event: unknown) => void {
  return (event) => {
    const target = getTarget();
    if (target === undefined || target.isDestroyed()) return;
    target.send(VEIL_EVENT_CHANNEL, event);
  };
}

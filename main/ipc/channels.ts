/** Every Veil IPC channel starts with this prefix; the method name follows (`veil:models.list`). */
export const VEIL_CHANNEL_PREFIX = 'veil:';

/** The one channel the main process pushes core events on. */
export const VEIL_EVENT_CHANNEL = 'veil:event';

/** The invoke channel of a contract method. */
export function channelForMethod(method: string): string {
  return `${VEIL_CHANNEL_PREFIX}${method}`;
}

import type { CallOutcome } from '../../app/service/dispatchCall';

/**
 * What crosses the IPC boundary for one call: the core's `CallOutcome`. Errors travel as `{name, message}` only (no
 * stack, no cause, no custom fields). The page receives this envelope rather than a rejected promise because
 * Electron's contextBridge keeps only the message of an Error it copies, which would lose the name the UI matches
 * errors on.
 */
export type IpcResult = CallOutcome;

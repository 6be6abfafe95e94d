import { VeilError } from '../../app/errors/VeilError';

/** An IPC call came from a frame other than the Veil window's own top frame, or from a page that is not ours. */
export class IpcSenderRejectedError extends VeilError {}

/** An IPC argument failed its schema; the message names the fields, never their values. */
export class IpcArgumentError extends VeilError {}

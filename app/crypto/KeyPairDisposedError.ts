import { VeilError } from '../errors/VeilError';

/** A key pair was used after `dispose()` wiped its secret key. */
export class KeyPairDisposedError extends VeilError {}

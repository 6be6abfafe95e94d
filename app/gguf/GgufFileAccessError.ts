import { VeilError } from '../errors/VeilError';

/** A GGUF file could not be opened or read (missing, a directory, no permission); `cause` has the system error. */
export class GgufFileAccessError extends VeilError {}

import { VeilError } from '../errors/VeilError';

/** A file is not a usable GGUF model: wrong magic, unsupported version, or a corrupt or truncated header or data. */
export class InvalidGgufError extends VeilError {}

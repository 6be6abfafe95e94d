import { VeilError } from '../errors/VeilError';

/** Writing a GGUF file failed: the input was inconsistent, or the file could not be written. */
export class GgufWriteError extends VeilError {}

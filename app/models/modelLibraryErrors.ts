import { VeilError } from '../errors/VeilError';

/** The manifest (`models.json`) cannot be read back: unparsable JSON, a schema mismatch or a newer format version. */
export class ModelManifestError extends VeilError {}

/** No installed model has the requested name or id. */
export class ModelNotFoundError extends VeilError {}

/** Another installed (or currently installing) model already uses the requested name. */
export class DuplicateModelNameError extends VeilError {}

/** The file is not a usable model (not a GGUF, truncated, or an architecture Veil cannot run). */
export class InvalidModelFileError extends VeilError {}

/** The source string is neither an http(s) URL nor a supported Hugging Face reference. */
export class UnsupportedModelSourceError extends VeilError {}

/** The server answered a download request with an error status. */
export class DownloadHttpError extends VeilError {
  public constructor(
    message: string,
    /** The HTTP status the server answered with. */
    public readonly status: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The downloaded bytes do not hash to the expected sha256; the file was deleted. */
export class ChecksumMismatchError extends VeilError {
  public constructor(
    message: string,
    public readonly expectedSha256: string,
    public readonly actualSha256: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The caller aborted the download; the partial file is kept so the next download of the same source resumes. */
export class DownloadAbortedError extends VeilError {}

/** The connection failed mid-download; the partial file is kept so the next download of the same source resumes. */
export class DownloadInterruptedError extends VeilError {}

/** A download of the same source is already running in this process. */
export class DownloadInProgressError extends VeilError {}

/** `estimateFit` was called on a library constructed without an `estimateFit` dependency. */
export class FitEstimatorUnavailableError extends VeilError {}

/** The model exists in the manifest but its file is missing or changed, so it cannot be used. */
export class ModelUnavailableError extends VeilError {}

/** The library was used after `dispose()`. */
export class ModelLibraryDisposedError extends VeilError {}

/** A model name or expected hash given by the caller is malformed. */
export class InvalidModelOptionsError extends VeilError {}

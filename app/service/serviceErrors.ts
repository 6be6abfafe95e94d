import { VeilError } from '../errors/VeilError';

/** A call's argument failed the contract's schema; the message names the method and the fields, never their values. */
export class InvalidArgumentError extends VeilError {}

/** The method name is not part of the UI contract. */
export class UnknownMethodError extends VeilError {}

/** The core returned a value that does not match the contract's output schema (a bug in the core, never user data). */
export class ContractViolationError extends VeilError {}

/** The service was used after `dispose()`. */
export class ServiceDisposedError extends VeilError {}

/** A reply is already being generated in this conversation; stop it first. */
export class GenerationInProgressError extends VeilError {}

/** The conversation has no model chosen, so no reply can be generated. */
export class NoModelSelectedError extends VeilError {}

/** Network models (served by remote providers) are not available in this release. */
export class NetworkModelsUnavailableError extends VeilError {}

/** A message given by id exists but cannot be used for the requested operation (wrong role, for instance). */
export class InvalidMessageTargetError extends VeilError {}

/** No download with the given id is known to this process. */
export class DownloadNotFoundError extends VeilError {}

/** The download cannot make the requested transition (for example resuming one that already finished). */
export class DownloadStateError extends VeilError {}

/** The settings file exists but cannot be used: unreadable, not JSON, or values out of range. It is left untouched. */
export class SettingsFileError extends VeilError {}

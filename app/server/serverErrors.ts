import { VeilError } from '../errors/VeilError';

/** `--host` would expose Veil beyond this machine without an access token the user chose on purpose. */
export class UnsafeExposureError extends VeilError {}

/** An explicit access token is too short or uses characters that cannot travel in a URL and a cookie unchanged. */
export class InvalidAccessTokenError extends VeilError {}

/** The renderer build to serve is missing (`out/renderer/index.html` not found). */
export class StaticDirError extends VeilError {}

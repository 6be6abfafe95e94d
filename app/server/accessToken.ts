import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import { InvalidAccessTokenError } from './serverErrors';

/** Random bytes in a generated access token (256 bits, as Jupyter's default token). */
export const ACCESS_TOKEN_BYTES = 32;
/** Shortest explicit token accepted: below this, guessing over the network becomes plausible. */
export const MIN_ACCESS_TOKEN_LENGTH = 16;
/** Longest explicit token accepted, so cookies and URLs stay well under header limits. */
export const MAX_ACCESS_TOKEN_LENGTH = 256;
/** Characters that pass through a URL query and a cookie value unchanged (RFC 3986 unreserved). */
const TOKEN_PATTERN = /^[A-Za-z0-9._~-]+$/;

/** A fresh token: 32 random bytes, base64url. */
export function generateAccessToken(): string {
  return randomBytes(ACCESS_TOKEN_BYTES).toString('base64url');
}

/** Checks an explicit token's shape. The message never repeats the token. */
export function assertValidAccessToken(token: string): void {
  if (token.length < MIN_ACCESS_TOKEN_LENGTH || token.length > MAX_ACCESS_TOKEN_LENGTH) {
    throw new InvalidAccessTokenError(
      `serve: the access token must be ${MIN_ACCESS_TOKEN_LENGTH}–${MAX_ACCESS_TOKEN_LENGTH} characters long`,
    );
  }
  if (!TOKEN_PATTERN.test(token)) {
    throw new InvalidAccessTokenError('serve: the access token may only use letters, digits and . _ ~ -');
  }
}

/**
 * Compares a presented token with the expected one in constant time. Both are hashed first so the comparison runs on
 * equal-length digests and the time taken reveals neither the token nor its length.
 */
export function accessTokenMatches(presented: string, expectedDigest: Uint8Array): boolean {
  return timingSafeEqual(digestAccessToken(presented), expectedDigest);
}

/** sha256 of a token, computed once for the expected token. */
export function digestAccessToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Whether binding to `host` keeps the server reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost') return true;
  if (net.isIPv4(bare)) return bare.split('.')[0] === '127';
  if (net.isIPv6(bare)) {
    const lower = bare.toLowerCase();
    if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    return mapped?.[1] !== undefined && mapped[1].split('.')[0] === '127';
  }
  return false;
}

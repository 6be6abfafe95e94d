import sodium from 'libsodium-wrappers';
import { VeilError } from '../errors/VeilError';
import {
  BOX_NONCE_BYTES,
  BOX_SEAL_OVERHEAD_BYTES,
  ED25519_PUBLIC_KEY_BYTES,
  ED25519_SECRET_KEY_BYTES,
  ED25519_SEED_BYTES,
  ED25519_SIGNATURE_BYTES,
  STREAM_CHUNK_OVERHEAD_BYTES,
  STREAM_HEADER_BYTES,
  STREAM_KEY_BYTES,
  X25519_PUBLIC_KEY_BYTES,
  X25519_SECRET_KEY_BYTES,
  X25519_SEED_BYTES,
} from './constants';

/** The libsodium module once `sodium.ready` resolved; its functions only exist after that. */
export type Sodium = typeof sodium;

/** libsodium was used before `getSodium()` resolved, or the loaded build disagrees with `constants.ts`. */
export class SodiumUnavailableError extends VeilError {}

let loaded: Sodium | undefined;
let loading: Promise<Sodium> | undefined;

async function load(): Promise<Sodium> {
  await sodium.ready;
  const expected: ReadonlyArray<readonly [string, number, number]> = [
    ['crypto_sign_PUBLICKEYBYTES', sodium.crypto_sign_PUBLICKEYBYTES, ED25519_PUBLIC_KEY_BYTES],
    ['crypto_sign_SECRETKEYBYTES', sodium.crypto_sign_SECRETKEYBYTES, ED25519_SECRET_KEY_BYTES],
    ['crypto_sign_SEEDBYTES', sodium.crypto_sign_SEEDBYTES, ED25519_SEED_BYTES],
    ['crypto_sign_BYTES', sodium.crypto_sign_BYTES, ED25519_SIGNATURE_BYTES],
    ['crypto_box_PUBLICKEYBYTES', sodium.crypto_box_PUBLICKEYBYTES, X25519_PUBLIC_KEY_BYTES],
    ['crypto_box_SECRETKEYBYTES', sodium.crypto_box_SECRETKEYBYTES, X25519_SECRET_KEY_BYTES],
    ['crypto_box_SEEDBYTES', sodium.crypto_box_SEEDBYTES, X25519_SEED_BYTES],
    ['crypto_box_SEALBYTES', sodium.crypto_box_SEALBYTES, BOX_SEAL_OVERHEAD_BYTES],
    ['crypto_box_NONCEBYTES', sodium.crypto_box_NONCEBYTES, BOX_NONCE_BYTES],
    [
      'crypto_secretstream_xchacha20poly1305_KEYBYTES',
      sodium.crypto_secretstream_xchacha20poly1305_KEYBYTES,
      STREAM_KEY_BYTES,
    ],
    [
      'crypto_secretstream_xchacha20poly1305_HEADERBYTES',
      sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES,
      STREAM_HEADER_BYTES,
    ],
    [
      'crypto_secretstream_xchacha20poly1305_ABYTES',
      sodium.crypto_secretstream_xchacha20poly1305_ABYTES,
      STREAM_CHUNK_OVERHEAD_BYTES,
    ],
  ];
  for (const [name, actual, wanted] of expected) {
    if (actual !== wanted) {
      throw new SodiumUnavailableError(`getSodium: ${name} is ${actual}, expected ${wanted}`);
    }
  }
  loaded = sodium;
  return sodium;
}

/** Resolves libsodium once per process (the WebAssembly module compiles on first use) and checks its constants. */
export async function getSodium(): Promise<Sodium> {
  if (loaded !== undefined) return loaded;
  loading ??= load();
  return loading;
}

/**
 * libsodium for synchronous hot paths (per-chunk stream work) whose owner already awaited `getSodium()`, e.g. inside
 * an object built by an async factory.
 */
export function sodiumSync(operation: string): Sodium {
  if (loaded === undefined) {
    throw new SodiumUnavailableError(`${operation}: libsodium is not loaded; await getSodium() first`);
  }
  return loaded;
}

/** libsodium if it is already loaded, for helpers that have a plain-JS fallback (wiping). */
export function loadedSodium(): Sodium | undefined {
  return loaded;
}

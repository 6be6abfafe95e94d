/**
 * Byte lengths of every key, nonce, hash and id in the Veil protocol. `sodium.ts` checks the libsodium ones against the
 * loaded library once, so a mismatched build fails loudly at start instead of producing odd ciphertexts.
 */

/** Ed25519 identity public key. */
export const ED25519_PUBLIC_KEY_BYTES = 32;
/** Ed25519 secret key in libsodium's layout (seed ‖ public key). */
export const ED25519_SECRET_KEY_BYTES = 64;
/** Seed an Ed25519 key pair is derived from. */
export const ED25519_SEED_BYTES = 32;
/** Detached Ed25519 signature. */
export const ED25519_SIGNATURE_BYTES = 64;

/** X25519 epoch public key. */
export const X25519_PUBLIC_KEY_BYTES = 32;
/** X25519 epoch secret key. */
export const X25519_SECRET_KEY_BYTES = 32;
/** Seed an X25519 key pair is derived from (`crypto_box_seed_keypair`). */
export const X25519_SEED_BYTES = 32;

/** `crypto_box_seal` overhead: ephemeral public key (32) plus Poly1305 tag (16). */
export const BOX_SEAL_OVERHEAD_BYTES = 48;
/** `crypto_box` nonce; for sealed boxes it is BLAKE2b-192(ephemeral pk ‖ recipient pk). */
export const BOX_NONCE_BYTES = 24;

/** BLAKE2b-256 output: request hashes, response hashes, provider ids, commitments. */
export const HASH_BYTES = 32;

/** Provider id: BLAKE2b-256 of the identity public key. */
export const PROVIDER_ID_BYTES = 32;
/** Key id: the first 16 bytes of BLAKE2b-256 of the epoch public key. */
export const KEY_ID_BYTES = 16;
/** Random request id chosen by the requester. */
export const REQUEST_ID_BYTES = 16;
/** Random response key chosen by the requester; the stream key is derived from it. */
export const RESPONSE_KEY_BYTES = 32;
/** GGUF file SHA-256. */
export const MODEL_SHA256_BYTES = 32;

/** `crypto_secretstream_xchacha20poly1305` key. */
export const STREAM_KEY_BYTES = 32;
/** `crypto_secretstream_xchacha20poly1305` header, sent before the first chunk. */
export const STREAM_HEADER_BYTES = 24;
/** Per-chunk overhead of secretstream: one tag byte plus a 16-byte MAC. */
export const STREAM_CHUNK_OVERHEAD_BYTES = 17;

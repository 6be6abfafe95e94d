/** Protocol constants: versions, domain-separation labels, size and time limits (docs/PROTOCOL.md §2, §8). */

/** The only wire version this library speaks. A peer with another version gets `BAD_VERSION`. */
export const PROTOCOL_VERSION = 1;

/** Domain-separation labels. Signatures cover `label ‖ 0x00 ‖ body`; keyed hashes hash `label ‖ 0x00 ‖ data`. */
export const LABEL_KEY_CERTIFICATE = 'veil/v1/key-certificate';
export const LABEL_RECEIPT = 'veil/v1/receipt';
export const LABEL_USAGE_RECORD = 'veil/v1/usage-record';
export const LABEL_STREAM_KEY = 'veil/v1/response-stream-key';
export const LABEL_COMMITMENT_KEY = 'veil/v1/transcript-commitment-key';
export const LABEL_TRANSCRIPT_COMMITMENT = 'veil/v1/transcript-commitment';

/** Kind byte of a sealed request's outer header. */
export const SEALED_REQUEST_KIND = 0x01;

/** Smallest padded inner request: smaller requests all look alike. */
export const MIN_REQUEST_BUCKET_BYTES = 256;
/** Largest padded inner request (1 MiB). */
export const MAX_REQUEST_BUCKET_BYTES = 1 << 20;

/** Response chunks are padded to a multiple of this, hiding individual token lengths. */
export const STREAM_CHUNK_BLOCK_BYTES = 64;
/** Largest token text in one chunk. */
export const MAX_CHUNK_TEXT_BYTES = 64 * 1024;
/** Largest plaintext of one padded chunk (text plus CBOR framing, or a receipt). */
export const MAX_CHUNK_PLAINTEXT_BYTES = MAX_CHUNK_TEXT_BYTES + 1024;
/** Largest encrypted frame of a response stream. */
export const MAX_STREAM_FRAME_BYTES = MAX_CHUNK_PLAINTEXT_BYTES + 17;
/** Most chunks in one response (far above any max_tokens); bounds the sequence counter. */
export const MAX_STREAM_CHUNKS = 1_000_000;

/** Largest encoded key certificate, receipt or usage record. */
export const MAX_SIGNED_OBJECT_BYTES = 16 * 1024;
/** Largest provider error message carried in a stream. */
export const MAX_ERROR_MESSAGE_CHARS = 200;

/** Default lifetime of an epoch key (and its certificate): 24 hours. */
export const DEFAULT_EPOCH_ROTATION_MS = 24 * 60 * 60 * 1000;
/** A new epoch key is announced this long before the current one's not-after. */
export const DEFAULT_EPOCH_ANNOUNCE_LEAD_MS = 60 * 60 * 1000;
/** Longest certificate validity a requester accepts (7 days). */
export const MAX_CERTIFICATE_VALIDITY_MS = 7 * 24 * 60 * 60 * 1000;
/** Longest request lifetime: a request expiring later than now + this is refused (`BAD_EXPIRY`). */
export const MAX_REQUEST_TTL_MS = 10 * 60 * 1000;
/** Default request lifetime chosen by `sealRequest`. */
export const DEFAULT_REQUEST_TTL_MS = 2 * 60 * 1000;
/** Tolerated clock difference between parties. */
export const CLOCK_SKEW_MS = 60 * 1000;
/** An epoch secret key is wiped this long after its certificate's not-after (longest request TTL plus skew). */
export const DEFAULT_EPOCH_GRACE_MS = MAX_REQUEST_TTL_MS + CLOCK_SKEW_MS;
/** Default bound on a provider's replay cache. */
export const DEFAULT_REPLAY_CACHE_MAX_ENTRIES = 100_000;

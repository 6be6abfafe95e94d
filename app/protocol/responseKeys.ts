import { keyedBlake2b256 } from '../crypto/hash';
import { concatBytes, wipe } from '../crypto/bytes';
import { LABEL_COMMITMENT_KEY, LABEL_STREAM_KEY, LABEL_TRANSCRIPT_COMMITMENT } from './constants';

/**
 * The response stream key: `BLAKE2b-256(key = responseKey, "veil/v1/response-stream-key" ‖ 0x00 ‖ H(sealed request))`.
 * Binding the hash of the exact sealed bytes means a response can only be read as the answer to that request.
 */
export function deriveStreamKey(responseKey: Uint8Array, sealedRequestHash: Uint8Array): Uint8Array {
  return keyedBlake2b256(responseKey, LABEL_STREAM_KEY, sealedRequestHash);
}

/**
 * The transcript commitment of a usage record: a MAC, under a key derived from the response key and the request
 * hash, over H(inner request CBOR) ‖ H(response text). The coordinator cannot test guesses of short prompts against
 * it (it lacks the key); the requester can recompute it to hold the provider to its usage claim.
 */
export function transcriptCommitment(
  responseKey: Uint8Array,
  sealedRequestHash: Uint8Array,
  innerRequestHash: Uint8Array,
  responseHash: Uint8Array,
): Uint8Array {
  const commitmentKey = keyedBlake2b256(responseKey, LABEL_COMMITMENT_KEY, sealedRequestHash);
  try {
    return keyedBlake2b256(
      commitmentKey,
      LABEL_TRANSCRIPT_COMMITMENT,
      concatBytes(innerRequestHash, responseHash),
    );
  } finally {
    wipe(commitmentKey);
  }
}

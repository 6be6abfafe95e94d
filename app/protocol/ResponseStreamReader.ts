import type { StateAddress } from 'libsodium-wrappers';
import { missingCaseError } from '../errors/missingCaseError';
import { STREAM_CHUNK_OVERHEAD_BYTES, STREAM_HEADER_BYTES } from '../crypto/constants';
import { constantTimeEqual, wipe } from '../crypto/bytes';
import { IncrementalHash } from '../crypto/hash';
import { getSodium, sodiumSync } from '../crypto/sodium';
import { encodeCanonical } from './cbor';
import { MAX_STREAM_FRAME_BYTES } from './constants';
import { unpad } from './padding';
import type { PendingRequest } from './PendingRequest';
import { ProtocolError } from './ProtocolError';
import { verifyReceiptSync } from './Receipt';
import type { VerifiedReceipt } from './Receipt';
import { decodeStreamChunk } from './streamChunk';
import type { ProviderErrorCode } from './streamChunk';

/** One decrypted event of a response stream. */
export type ResponseStreamEvent =
  | { readonly type: 'tokens'; readonly seq: number; readonly text: Uint8Array }
  | {
      readonly type: 'error';
      readonly seq: number;
      readonly code: ProviderErrorCode;
      readonly message: string;
    }
  | { readonly type: 'final'; readonly seq: number; readonly receipt: VerifiedReceipt };

/** How a complete stream ended. */
export type ResponseStreamOutcome =
  | { readonly type: 'final'; readonly receipt: VerifiedReceipt }
  | { readonly type: 'error'; readonly code: ProviderErrorCode; readonly message: string };

/**
 * Decrypts and checks one response for the requester (docs/PROTOCOL.md §6.4). Frames must arrive in order; any
 * failed, reordered, duplicated or foreign frame poisons the reader. The stream counts as complete only after a
 * FINAL-tagged chunk whose receipt is signed by the pinned identity and matches this request and the text received;
 * `end()` at transport EOF throws `TRUNCATED` otherwise. Callers should show text as "unverified" until then.
 */
export class ResponseStreamReader {
  private readonly pending: PendingRequest;
  private readonly state: StateAddress;
  private readonly responseHash = new IncrementalHash();
  private expectedSeq = 0;
  private outcome: ResponseStreamOutcome | undefined;
  private failed = false;

  private constructor(pending: PendingRequest, state: StateAddress) {
    this.pending = pending;
    this.state = state;
  }

  /** Starts reading with the stream header (the first frame the provider sent). */
  public static async create(pending: PendingRequest, header: Uint8Array): Promise<ResponseStreamReader> {
    const sodium = await getSodium();
    if (header.length !== STREAM_HEADER_BYTES) {
      throw new ProtocolError(
        'MALFORMED',
        `ResponseStreamReader.create: stream header must be ${STREAM_HEADER_BYTES} bytes`,
      );
    }
    const streamKey = pending.deriveStreamKey();
    try {
      return new ResponseStreamReader(
        pending,
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(header, streamKey),
      );
    } catch {
      throw new ProtocolError('MALFORMED', 'ResponseStreamReader.create: invalid stream header');
    } finally {
      wipe(streamKey);
    }
  }

  /** The terminal outcome once a FINAL chunk was read, else undefined. */
  public get result(): ResponseStreamOutcome | undefined {
    return this.outcome;
  }

  /** Decrypts the next frame. Token text is returned as bytes the caller owns (and may wipe). */
  public pull(frame: Uint8Array): ResponseStreamEvent {
    const operation = 'ResponseStreamReader.pull';
    if (this.outcome !== undefined) {
      throw new ProtocolError('STREAM_CLOSED', `${operation}: frame after the end of the stream`);
    }
    if (this.failed) throw new ProtocolError('STREAM_CLOSED', `${operation}: stream already failed`);
    try {
      return this.pullUnchecked(frame, operation);
    } catch (error) {
      this.failed = true;
      this.responseHash.dispose();
      throw error;
    }
  }

  /** Call at transport EOF: returns the outcome, or throws `TRUNCATED` if no terminal chunk arrived. */
  public end(): ResponseStreamOutcome {
    if (this.outcome === undefined) {
      this.failed = true;
      this.responseHash.dispose();
      throw new ProtocolError('TRUNCATED', 'ResponseStreamReader.end: stream ended without a final chunk');
    }
    return this.outcome;
  }

  private pullUnchecked(frame: Uint8Array, operation: string): ResponseStreamEvent {
    const sodium = sodiumSync(operation);
    if (frame.length > MAX_STREAM_FRAME_BYTES) {
      throw new ProtocolError('TOO_LARGE', `${operation}: frame exceeds ${MAX_STREAM_FRAME_BYTES} bytes`);
    }
    if (frame.length < STREAM_CHUNK_OVERHEAD_BYTES) {
      throw new ProtocolError('DECRYPT_FAILED', `${operation}: cannot decrypt the frame`);
    }
    let pulled: { message: Uint8Array; tag: number } | false;
    try {
      pulled = sodium.crypto_secretstream_xchacha20poly1305_pull(this.state, frame, null);
    } catch {
      pulled = false;
    }
    if (pulled === false) {
      throw new ProtocolError(
        'DECRYPT_FAILED',
        `${operation}: cannot decrypt the frame (tampered, reordered, duplicated or for another request)`,
      );
    }
    const padded = pulled.message;
    try {
      const encoded = unpad(padded);
      if (encoded === undefined) throw new ProtocolError('MALFORMED', `${operation}: bad chunk padding`);
      const chunk = decodeStreamChunk(encoded, operation);
      if (chunk.seq !== this.expectedSeq) {
        throw new ProtocolError(
          'OUT_OF_ORDER',
          `${operation}: chunk ${chunk.seq} arrived, expected ${this.expectedSeq}`,
        );
      }
      const isFinalTag = pulled.tag === sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL;
      if (
        isFinalTag !== (chunk.t !== 'tokens') ||
        (!isFinalTag && pulled.tag !== sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
      ) {
        throw new ProtocolError('MALFORMED', `${operation}: chunk tag does not match its type`);
      }
      this.expectedSeq++;
      switch (chunk.t) {
        case 'tokens':
          this.responseHash.update(chunk.text);
          return { type: 'tokens', seq: chunk.seq, text: chunk.text };
        case 'error':
          this.responseHash.dispose();
          this.outcome = { type: 'error', code: chunk.code, message: chunk.message };
          return { type: 'error', seq: chunk.seq, code: chunk.code, message: chunk.message };
        case 'final': {
          const receipt = this.checkReceipt(chunk.receipt, operation);
          this.outcome = { type: 'final', receipt };
          return { type: 'final', seq: chunk.seq, receipt };
        }
        default:
          throw missingCaseError(chunk);
      }
    } finally {
      wipe(padded);
    }
  }

  private checkReceipt(encoded: Uint8Array, operation: string): VerifiedReceipt {
    const pending = this.pending;
    const receipt = verifyReceiptSync(encoded, pending.certificate.identityKey);
    const responseHash = this.responseHash.digest();
    if (!constantTimeEqual(receipt.requestId, pending.requestId)) {
      throw new ProtocolError('RECEIPT_MISMATCH', `${operation}: receipt is for another request id`);
    }
    if (!constantTimeEqual(receipt.sealedRequestHash, pending.sealedRequestHash)) {
      throw new ProtocolError('HASH_MISMATCH', `${operation}: receipt names a different sealed request`);
    }
    if (!constantTimeEqual(receipt.responseHash, responseHash)) {
      throw new ProtocolError('HASH_MISMATCH', `${operation}: receipt does not match the text received`);
    }
    if (
      !constantTimeEqual(receipt.providerId, pending.certificate.providerId) ||
      !constantTimeEqual(receipt.keyId, pending.certificate.keyId)
    ) {
      throw new ProtocolError('RECEIPT_MISMATCH', `${operation}: receipt names another provider or key`);
    }
    if (
      !constantTimeEqual(encodeCanonical(receipt.model), encodeCanonical(pending.model)) ||
      !constantTimeEqual(encodeCanonical(receipt.sampling), encodeCanonical(pending.sampling))
    ) {
      throw new ProtocolError(
        'RECEIPT_MISMATCH',
        `${operation}: receipt names another model or sampling parameters`,
      );
    }
    if (receipt.finishedAt < receipt.startedAt) {
      throw new ProtocolError('RECEIPT_MISMATCH', `${operation}: receipt finishes before it starts`);
    }
    return receipt;
  }
}

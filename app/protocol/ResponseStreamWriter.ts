import type { StateAddress } from 'libsodium-wrappers';
import { constantTimeEqual, wipe } from '../crypto/bytes';
import { IncrementalHash } from '../crypto/hash';
import type { IdentityKeyPair } from '../crypto/IdentityKeyPair';
import { getSodium, sodiumSync } from '../crypto/sodium';
import {
  MAX_CHUNK_TEXT_BYTES,
  MAX_STREAM_CHUNKS,
  PROTOCOL_VERSION,
  STREAM_CHUNK_BLOCK_BYTES,
} from './constants';
import type { OpenedRequest } from './OpenedRequest';
import { padToBlock } from './padding';
import { ProtocolError } from './ProtocolError';
import { signReceipt } from './Receipt';
import { parseWithSchema, tokenCountsSchema } from './schemas';
import type { TokenCounts } from './schemas';
import { encodeStreamChunk } from './streamChunk';
import type { ProviderErrorCode, StreamChunk } from './streamChunk';
import { signUsageRecord } from './UsageRecord';

/** Options of `ResponseStreamWriter.create`. */
export interface ResponseStreamWriterOptions {
  /** The opened request being answered; the writer does not dispose it. */
  readonly request: OpenedRequest;
  /** Signs the receipt and usage record. */
  readonly identity: IdentityKeyPair;
  /** Backend label for the receipt. */
  readonly backend: string;
  /** App version for the receipt. */
  readonly appVersion: string;
  /** Clock in ms. Defaults to `Date.now`. */
  readonly now?: () => number;
}

/** What `finish` produces. */
export interface FinishedResponse {
  /** The last frame (TAG_FINAL), carrying the receipt; relay it to the requester. */
  readonly frame: Uint8Array;
  /** The signed receipt inside that frame (the provider may keep it). */
  readonly receipt: Uint8Array;
  /** The signed usage record for the coordinator. */
  readonly usageRecord: Uint8Array;
}

/**
 * Encrypts one response (docs/PROTOCOL.md §6): send `header` first, then one frame per `pushTokens`, then exactly one
 * terminal frame from `finish` (receipt) or `fail` (error). Each chunk is canonical CBOR padded to a multiple of 64 bytes
 * and pushed through `crypto_secretstream_xchacha20poly1305` under the request-bound stream key.
 */
export class ResponseStreamWriter {
  /** The 24-byte secretstream header; the first thing sent. */
  public readonly header: Uint8Array;
  private readonly state: StateAddress;
  private readonly options: ResponseStreamWriterOptions;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly responseHash = new IncrementalHash();
  private seq = 0;
  private closed = false;

  private constructor(options: ResponseStreamWriterOptions, header: Uint8Array, state: StateAddress) {
    this.options = options;
    this.header = header;
    this.state = state;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
  }

  public static async create(options: ResponseStreamWriterOptions): Promise<ResponseStreamWriter> {
    const sodium = await getSodium();
    if (!constantTimeEqual(options.identity.providerId, options.request.header.providerId)) {
      throw new ProtocolError(
        'WRONG_PROVIDER',
        'ResponseStreamWriter.create: identity is not the provider the request was sealed to',
      );
    }
    const streamKey = options.request.deriveStreamKey();
    try {
      const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(streamKey);
      return new ResponseStreamWriter(options, header, state);
    } finally {
      wipe(streamKey);
    }
  }

  /** Encrypts a batch of generated text (UTF-8 bytes, at most 64 KiB). The caller may wipe `text` afterwards. */
  public pushTokens(text: Uint8Array): Uint8Array {
    this.assertOpen('ResponseStreamWriter.pushTokens');
    if (text.length > MAX_CHUNK_TEXT_BYTES) {
      throw new ProtocolError(
        'TOO_LARGE',
        `ResponseStreamWriter.pushTokens: batch exceeds ${MAX_CHUNK_TEXT_BYTES} bytes`,
      );
    }
    if (this.seq >= MAX_STREAM_CHUNKS - 1) {
      throw new ProtocolError('TOO_LARGE', 'ResponseStreamWriter.pushTokens: too many chunks');
    }
    this.responseHash.update(text);
    return this.push({ t: 'tokens', seq: this.seq, text });
  }

  /**
   * Ends the stream with a signed receipt and returns the usage record for the coordinator. `tokens` are the counts
   * the engine reported.
   */
  public finish(tokens: TokenCounts): FinishedResponse {
    this.assertOpen('ResponseStreamWriter.finish');
    // Validate first, so a bad count leaves the writer usable instead of half-finished.
    parseWithSchema(tokenCountsSchema, tokens, 'ResponseStreamWriter.finish');
    const { request, identity } = this.options;
    const responseHash = this.responseHash.digest();
    const finishedAt = Math.max(this.now(), this.startedAt);
    const receipt = signReceipt(identity, {
      v: PROTOCOL_VERSION,
      requestId: request.requestId,
      sealedRequestHash: request.sealedRequestHash,
      responseHash,
      providerId: identity.providerId,
      keyId: request.header.keyId,
      model: request.model,
      sampling: request.sampling,
      backend: this.options.backend,
      appVersion: this.options.appVersion,
      startedAt: this.startedAt,
      finishedAt,
      tokens,
    });
    const usageRecord = signUsageRecord(identity, {
      v: PROTOCOL_VERSION,
      providerId: identity.providerId,
      keyId: request.header.keyId,
      requestId: request.requestId,
      sealedRequestHash: request.sealedRequestHash,
      model: request.model,
      tokens,
      startedAt: this.startedAt,
      finishedAt,
      transcriptCommitment: request.transcriptCommitment(responseHash),
    });
    const frame = this.push({ t: 'final', seq: this.seq, receipt });
    return { frame, receipt, usageRecord };
  }

  /** Ends the stream with an error the requester will see (the message must not contain prompt or output text). */
  public fail(code: ProviderErrorCode, message: string): Uint8Array {
    this.assertOpen('ResponseStreamWriter.fail');
    this.responseHash.dispose();
    return this.push({ t: 'error', seq: this.seq, code, message });
  }

  /** Closes the writer; without a terminal frame first, the requester sees the stream as truncated. Idempotent. */
  public dispose(): void {
    this.closed = true;
    this.responseHash.dispose();
  }

  /** Encrypts one chunk; every chunk but `tokens` is terminal and carries TAG_FINAL. */
  private push(chunk: StreamChunk): Uint8Array {
    const sodium = sodiumSync('ResponseStreamWriter');
    const final = chunk.t !== 'tokens';
    const encoded = encodeStreamChunk(chunk);
    const padded = padToBlock(encoded, STREAM_CHUNK_BLOCK_BYTES);
    const tag = final
      ? sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
      : sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    try {
      const frame = sodium.crypto_secretstream_xchacha20poly1305_push(this.state, padded, null, tag);
      this.seq++;
      if (final) this.closed = true;
      return frame;
    } finally {
      wipe(encoded);
      wipe(padded);
    }
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw new ProtocolError('STREAM_CLOSED', `${operation}: stream already ended`);
  }
}

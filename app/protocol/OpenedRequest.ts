import { wipe } from '../crypto/bytes';
import { ProtocolError } from './ProtocolError';
import type { SealedRequestHeader } from './SealedRequestHeader';
import type { ChatMessage, ModelRef, SamplingParams } from './schemas';
import { deriveStreamKey, transcriptCommitment } from './responseKeys';

/** Fields of an `OpenedRequest`. */
export interface OpenedRequestInit {
  readonly header: SealedRequestHeader;
  readonly requestId: Uint8Array;
  readonly expiresAt: number;
  readonly model: ModelRef;
  readonly messages: ReadonlyArray<ChatMessage>;
  readonly sampling: SamplingParams;
  readonly authorization: Uint8Array | undefined;
  readonly sealedRequestHash: Uint8Array;
  readonly innerRequestHash: Uint8Array;
  readonly responseKey: Uint8Array;
}

/**
 * A request the provider decrypted and checked. It holds the prompt (as strings: node-llama-cpp needs them so, and
 * JS strings cannot be wiped) and the secret response key, which `dispose()` wipes.
 */
export class OpenedRequest {
  public readonly header: SealedRequestHeader;
  public readonly requestId: Uint8Array;
  public readonly expiresAt: number;
  public readonly model: ModelRef;
  public readonly messages: ReadonlyArray<ChatMessage>;
  public readonly sampling: SamplingParams;
  public readonly authorization: Uint8Array | undefined;
  /** BLAKE2b-256 of the whole sealed request, as received. */
  public readonly sealedRequestHash: Uint8Array;
  /** BLAKE2b-256 of the unpadded inner request CBOR. */
  public readonly innerRequestHash: Uint8Array;
  private readonly responseKey: Uint8Array;
  private disposed = false;

  public constructor(init: OpenedRequestInit) {
    this.header = init.header;
    this.requestId = init.requestId;
    this.expiresAt = init.expiresAt;
    this.model = init.model;
    this.messages = init.messages;
    this.sampling = init.sampling;
    this.authorization = init.authorization;
    this.sealedRequestHash = init.sealedRequestHash;
    this.innerRequestHash = init.innerRequestHash;
    this.responseKey = init.responseKey;
  }

  /** The response stream key (caller wipes it). */
  public deriveStreamKey(): Uint8Array {
    this.assertUsable('OpenedRequest.deriveStreamKey');
    return deriveStreamKey(this.responseKey, this.sealedRequestHash);
  }

  /** The keyed transcript commitment for the usage record. */
  public transcriptCommitment(responseHash: Uint8Array): Uint8Array {
    this.assertUsable('OpenedRequest.transcriptCommitment');
    return transcriptCommitment(
      this.responseKey,
      this.sealedRequestHash,
      this.innerRequestHash,
      responseHash,
    );
  }

  /** Wipes the response key and authorization token. Idempotent. */
  public dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    wipe(this.responseKey);
    wipe(this.authorization);
  }

  public get isDisposed(): boolean {
    return this.disposed;
  }

  private assertUsable(operation: string): void {
    if (this.disposed) throw new ProtocolError('DISPOSED', `${operation}: request was disposed`);
  }
}

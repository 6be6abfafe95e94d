import { wipe } from '../crypto/bytes';
import type { SealedRequestHeader } from './SealedRequestHeader';
import type { PinnedKeyCertificate } from './PinStore';
import { ProtocolError } from './ProtocolError';
import type { ModelRef, SamplingParams } from './schemas';
import { deriveStreamKey, transcriptCommitment } from './responseKeys';

/** Fields of a `PendingRequest`. */
export interface PendingRequestInit {
  readonly sealedRequest: Uint8Array;
  readonly header: SealedRequestHeader;
  readonly certificate: PinnedKeyCertificate;
  readonly requestId: Uint8Array;
  readonly sealedRequestHash: Uint8Array;
  readonly innerRequestHash: Uint8Array;
  readonly model: ModelRef;
  readonly sampling: SamplingParams;
  readonly responseKey: Uint8Array;
}

/**
 * The requester's side of one sealed request: the bytes to submit, and what it needs to open and check the response
 * (the secret response key, the expected request id and hashes). `dispose()` wipes the response key.
 */
export class PendingRequest {
  /** The bytes to hand to the coordinator: outer header ‖ sealed box. */
  public readonly sealedRequest: Uint8Array;
  public readonly header: SealedRequestHeader;
  /** The pinned certificate the request was sealed to; receipts must be signed by its identity key. */
  public readonly certificate: PinnedKeyCertificate;
  public readonly requestId: Uint8Array;
  /** BLAKE2b-256 of `sealedRequest`. */
  public readonly sealedRequestHash: Uint8Array;
  /** BLAKE2b-256 of the unpadded inner request CBOR (input of the transcript commitment). */
  public readonly innerRequestHash: Uint8Array;
  public readonly model: ModelRef;
  public readonly sampling: SamplingParams;
  private readonly responseKey: Uint8Array;
  private disposed = false;

  public constructor(init: PendingRequestInit) {
    this.sealedRequest = init.sealedRequest;
    this.header = init.header;
    this.certificate = init.certificate;
    this.requestId = init.requestId;
    this.sealedRequestHash = init.sealedRequestHash;
    this.innerRequestHash = init.innerRequestHash;
    this.model = init.model;
    this.sampling = init.sampling;
    this.responseKey = init.responseKey;
  }

  /** The stream key for this request's response (caller wipes it). */
  public deriveStreamKey(): Uint8Array {
    this.assertUsable('PendingRequest.deriveStreamKey');
    return deriveStreamKey(this.responseKey, this.sealedRequestHash);
  }

  /** The transcript commitment a truthful usage record for this request carries, given the response's hash. */
  public expectedTranscriptCommitment(responseHash: Uint8Array): Uint8Array {
    this.assertUsable('PendingRequest.expectedTranscriptCommitment');
    return transcriptCommitment(
      this.responseKey,
      this.sealedRequestHash,
      this.innerRequestHash,
      responseHash,
    );
  }

  /** Wipes the response key. Idempotent. */
  public dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    wipe(this.responseKey);
  }

  public get isDisposed(): boolean {
    return this.disposed;
  }

  private assertUsable(operation: string): void {
    if (this.disposed) throw new ProtocolError('DISPOSED', `${operation}: request was disposed`);
  }
}

import { toHex } from '../crypto/bytes';
import { DEFAULT_REPLAY_CACHE_MAX_ENTRIES } from './constants';
import { ProtocolError } from './ProtocolError';

/** Options of `ReplayCache`. */
export interface ReplayCacheOptions {
  /** Hard cap on remembered request ids. Defaults to `DEFAULT_REPLAY_CACHE_MAX_ENTRIES` (100 000). */
  readonly maxEntries?: number;
}

/**
 * The provider's memory of request ids it has accepted, each kept until the request's own expiry (after which the
 * request is refused as `EXPIRED` anyway). Size is bounded: when the cap is reached even after dropping expired
 * entries, new requests get `REPLAY_CACHE_FULL` instead of the cache growing without limit.
 */
export class ReplayCache {
  private readonly maxEntries: number;
  private readonly entries = new Map<string, number>();
  private insertionsSincePrune = 0;

  public constructor(options: ReplayCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? DEFAULT_REPLAY_CACHE_MAX_ENTRIES;
    if (!Number.isSafeInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new RangeError('ReplayCache: maxEntries must be a positive integer');
    }
  }

  /** Number of remembered ids (including any not yet pruned). */
  public get size(): number {
    return this.entries.size;
  }

  /**
   * Records `requestId` as seen until `expiresAt`. Throws `REPLAY` if it was seen and has not expired, and
   * `REPLAY_CACHE_FULL` if the cap is reached.
   */
  public checkAndRemember(requestId: Uint8Array, expiresAt: number, now: number): void {
    const key = toHex(requestId);
    const seenUntil = this.entries.get(key);
    if (seenUntil !== undefined && seenUntil >= now) {
      throw new ProtocolError('REPLAY', 'ReplayCache.checkAndRemember: request id was already used');
    }
    // Prune now and then so memory follows the live request rate rather than the cap.
    if (this.entries.size >= this.maxEntries || ++this.insertionsSincePrune >= 1024) this.prune(now);
    if (this.entries.size >= this.maxEntries) {
      throw new ProtocolError(
        'REPLAY_CACHE_FULL',
        'ReplayCache.checkAndRemember: too many live requests; retry later',
      );
    }
    this.entries.set(key, expiresAt);
  }

  /** Drops entries whose request has expired. */
  public prune(now: number): void {
    this.insertionsSincePrune = 0;
    for (const [key, expiresAt] of this.entries) {
      if (expiresAt < now) this.entries.delete(key);
    }
  }

  /** Forgets everything. */
  public clear(): void {
    this.entries.clear();
  }
}

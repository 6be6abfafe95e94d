import { constantTimeEqual } from '../crypto/bytes';
import { EpochKeyPair } from '../crypto/EpochKeyPair';
import type { IdentityKeyPair } from '../crypto/IdentityKeyPair';
import { getSodium } from '../crypto/sodium';
import { assertTestOnly } from '../crypto/testOnly';
import {
  DEFAULT_EPOCH_ANNOUNCE_LEAD_MS,
  DEFAULT_EPOCH_GRACE_MS,
  DEFAULT_EPOCH_ROTATION_MS,
} from './constants';
import { issueKeyCertificate } from './KeyCertificate';
import type { OpenedRequest } from './OpenedRequest';
import { openSealedRequest } from './openSealedRequest';
import { ProtocolError } from './ProtocolError';
import { ReplayCache } from './ReplayCache';
import type { ModelRef } from './schemas';

/** Options of `ProviderKeyring.create`. */
export interface ProviderKeyringOptions {
  /** The provider's long-term identity; the keyring signs certificates with it but does not dispose it. */
  readonly identity: IdentityKeyPair;
  /** Models to announce in each certificate. */
  readonly models: ReadonlyArray<ModelRef>;
  /** Backend label for certificates. */
  readonly backend: string;
  /** App version for certificates. */
  readonly appVersion: string;
  /** Clock in ms. Defaults to `Date.now`. */
  readonly now?: () => number;
  /** Lifetime of each epoch key. Defaults to `DEFAULT_EPOCH_ROTATION_MS` (24 h). */
  readonly rotationMs?: number;
  /** How long before expiry the next key is made current. Defaults to `DEFAULT_EPOCH_ANNOUNCE_LEAD_MS` (1 h). */
  readonly announceLeadMs?: number;
  /** How long after its not-after an epoch secret is kept, then wiped. Defaults to `DEFAULT_EPOCH_GRACE_MS` (11 min). */
  readonly graceMs?: number;
  /** Replay cache shared by all epoch keys. Defaults to a new `ReplayCache` with default limits. */
  readonly replayCache?: ReplayCache;
  /** Seeds for successive epoch keys (known-answer vectors); throws outside tests. Defaults to random keys. */
  readonly dangerousTestOnlyEpochSeeds?: ReadonlyArray<Uint8Array>;
}

interface EpochEntry {
  readonly key: EpochKeyPair;
  readonly certificate: Uint8Array;
  readonly notAfter: number;
}

/**
 * A provider's encryption keys: the current X25519 epoch key with its signed certificate, plus older keys still inside
 * their grace window. `maintain()` (also run before every use) rotates and wipes, giving forward secrecy bounded by
 * rotation interval plus grace: once a key is wiped, recorded requests sealed to it cannot be opened by this process.
 */
export class ProviderKeyring {
  private readonly options: ProviderKeyringOptions;
  private readonly now: () => number;
  private readonly rotationMs: number;
  private readonly announceLeadMs: number;
  private readonly graceMs: number;
  private readonly replayCache: ReplayCache;
  private readonly seeds: Uint8Array[];
  private readonly epochs: EpochEntry[] = [];
  private disposed = false;

  private constructor(options: ProviderKeyringOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.rotationMs = options.rotationMs ?? DEFAULT_EPOCH_ROTATION_MS;
    this.announceLeadMs = options.announceLeadMs ?? DEFAULT_EPOCH_ANNOUNCE_LEAD_MS;
    this.graceMs = options.graceMs ?? DEFAULT_EPOCH_GRACE_MS;
    this.replayCache = options.replayCache ?? new ReplayCache();
    this.seeds = [...(options.dangerousTestOnlyEpochSeeds ?? [])];
    if (this.announceLeadMs >= this.rotationMs) {
      throw new RangeError('ProviderKeyring: announceLeadMs must be shorter than rotationMs');
    }
  }

  /** A keyring with a fresh current epoch key. */
  public static async create(options: ProviderKeyringOptions): Promise<ProviderKeyring> {
    await getSodium();
    if (options.dangerousTestOnlyEpochSeeds !== undefined) assertTestOnly('ProviderKeyring.create');
    const keyring = new ProviderKeyring(options);
    await keyring.maintain();
    return keyring;
  }

  /** This provider's id (hash of the identity key). */
  public get providerId(): Uint8Array {
    return this.options.identity.providerId;
  }

  /** Key ids whose secrets are still held, newest first. */
  public get liveKeyIds(): ReadonlyArray<Uint8Array> {
    return this.epochs.map((entry) => entry.key.keyId).reverse();
  }

  /** The certificate of the current epoch key, to announce to the coordinator (rotating first if due). */
  public async currentCertificate(): Promise<Uint8Array> {
    await this.maintain();
    const current = this.epochs.at(-1);
    if (current === undefined) throw new RangeError('ProviderKeyring.currentCertificate: no epoch key');
    return Uint8Array.from(current.certificate);
  }

  /**
   * Rotates when the current key is within `announceLeadMs` of its not-after, and wipes keys past not-after + grace.
   * Returns whether a new key was made current (the provider then re-announces its certificate).
   */
  public async maintain(): Promise<boolean> {
    this.assertUsable('ProviderKeyring.maintain');
    const now = this.now();
    for (let i = this.epochs.length - 1; i >= 0; i--) {
      const entry = this.epochs[i];
      if (entry !== undefined && now > entry.notAfter + this.graceMs) {
        entry.key.dispose();
        this.epochs.splice(i, 1);
      }
    }
    const current = this.epochs.at(-1);
    if (current !== undefined && now < current.notAfter - this.announceLeadMs) return false;
    const seed = this.seeds.shift();
    const key = await EpochKeyPair.generate(seed === undefined ? {} : { dangerousTestOnlySeed: seed });
    const notAfter = now + this.rotationMs;
    const certificate = await issueKeyCertificate(this.options.identity, key, {
      notBefore: now,
      notAfter,
      models: this.options.models,
      backend: this.options.backend,
      appVersion: this.options.appVersion,
    });
    this.epochs.push({ key, certificate, notAfter });
    return true;
  }

  /** Opens and checks a sealed request addressed to this provider (see `openSealedRequest`). */
  public async openSealedRequest(sealedRequest: Uint8Array): Promise<OpenedRequest> {
    await this.maintain();
    return openSealedRequest(sealedRequest, {
      providerId: this.providerId,
      findEpochKey: (keyId) => this.epochs.find((entry) => constantTimeEqual(entry.key.keyId, keyId))?.key,
      replayCache: this.replayCache,
      now: this.now(),
    });
  }

  /** Wipes every epoch secret. Idempotent; the identity is left to its owner. */
  public dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const entry of this.epochs) entry.key.dispose();
    this.epochs.length = 0;
    this.replayCache.clear();
  }

  private assertUsable(operation: string): void {
    if (this.disposed) throw new ProtocolError('DISPOSED', `${operation}: keyring was disposed`);
  }
}

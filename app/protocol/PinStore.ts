import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { fromBase64Url, toBase64Url } from '../crypto/base64url';
import { constantTimeEqual } from '../crypto/bytes';
import { ED25519_PUBLIC_KEY_BYTES } from '../crypto/constants';
import { getVeilPaths } from '../config/veilPaths';
import { providerIdOf } from '../crypto/IdentityKeyPair';
import { getSodium } from '../crypto/sodium';
import type { VerifiedKeyCertificate } from './KeyCertificate';
import { base64UrlBytes, providerIdField } from './messages/controlFields';
import { ProtocolError } from './ProtocolError';
import { timestampSchema } from './schemas';
import { AsyncMutex } from '../util/AsyncMutex';
import { writeFileAtomic } from '../util/writeFileAtomic';

/** File name of the pin store under the requester's keys directory. */
export const PIN_STORE_FILE_NAME = 'provider-pins.json';

const MAX_PIN_FILE_BYTES = 16 * 1024 * 1024;

const pinFileSchema = z.strictObject({
  version: z.literal(1),
  pins: z
    .array(
      z.strictObject({
        providerId: providerIdField,
        identityKey: base64UrlBytes(ED25519_PUBLIC_KEY_BYTES, ED25519_PUBLIC_KEY_BYTES),
        firstSeenAt: timestampSchema,
      }),
    )
    .max(1_000_000),
});

/** One trusted-on-first-use pin: the identity key first seen for a provider id. */
export interface ProviderPin {
  readonly providerId: string;
  readonly identityKey: Uint8Array;
  readonly firstSeenAt: number;
}

declare const pinnedBrand: unique symbol;

/** A certificate whose identity key matches (or has just become) the requester's pin. Only `PinStore.pin` makes one. */
export type PinnedKeyCertificate = VerifiedKeyCertificate & { readonly [pinnedBrand]: true };

const pinnedCertificates = new WeakSet<object>();

/** Whether `certificate` came out of `PinStore.pin` (checked again at seal time, beyond the type brand). */
export function isPinnedCertificate(
  certificate: VerifiedKeyCertificate,
): certificate is PinnedKeyCertificate {
  return pinnedCertificates.has(certificate);
}

/** Options of `PinStore.open`. */
export interface PinStoreOptions {
  /** The pin file. Defaults to `provider-pins.json` under `getVeilPaths().keys`. */
  readonly filePath?: string;
  /** Clock for `firstSeenAt`. Defaults to `Date.now`. */
  readonly now?: () => number;
}

/**
 * The requester's trust-on-first-use pins of provider identity keys. Without it a coordinator could hand out a
 * certificate for provider X signed by its own identity and read every prompt; with it, a changed identity key for
 * a known provider id is a hard `IDENTITY_CHANGED` error. (Provider ids are hashes of identity keys, so the attack
 * needs a different id, or a certificate whose id does not match its signer — refused by `verifyKeyCertificate`.)
 *
 * The file is schema-checked when read and written atomically (temporary file, then rename); a corrupt file is never
 * overwritten.
 */
export class PinStore {
  private readonly filePath: string;
  private readonly now: () => number;
  private readonly pins: Map<string, ProviderPin>;
  /** Serializes pins so concurrent writes of the pin file never interleave. */
  private readonly mutex = new AsyncMutex();

  private constructor(filePath: string, now: () => number, pins: Map<string, ProviderPin>) {
    this.filePath = filePath;
    this.now = now;
    this.pins = pins;
  }

  /** Reads the pin file (a missing file means no pins yet). */
  public static async open(options: PinStoreOptions = {}): Promise<PinStore> {
    const filePath = options.filePath ?? path.join(getVeilPaths().keys, PIN_STORE_FILE_NAME);
    await getSodium();
    return new PinStore(filePath, options.now ?? Date.now, await readPins(filePath));
  }

  /** The pin for `providerId` (base64url), if any. */
  public get(providerId: string): ProviderPin | undefined {
    return this.pins.get(providerId);
  }

  /** Number of pinned providers. */
  public get size(): number {
    return this.pins.size;
  }

  /**
   * Checks the certificate's identity key against the pin for its provider id, pinning it on first use. Throws
   * `IDENTITY_CHANGED` when the provider id is pinned to another key.
   */
  public async pin(certificate: VerifiedKeyCertificate): Promise<PinnedKeyCertificate> {
    return this.mutex.runExclusive(async () => {
      const providerId = toBase64Url(certificate.providerId);
      const existing = this.pins.get(providerId);
      if (existing !== undefined) {
        if (!constantTimeEqual(existing.identityKey, certificate.identityKey)) {
          throw new ProtocolError(
            'IDENTITY_CHANGED',
            `PinStore.pin: provider ${providerId} presented a different identity key than the one pinned on first use; ` +
              'refusing to send it anything. This happens if the coordinator or network substitutes keys, or if the ' +
              'provider reinstalled; remove the pin only after confirming the new key with the provider out of band',
          );
        }
      } else {
        this.pins.set(providerId, {
          providerId,
          identityKey: Uint8Array.from(certificate.identityKey),
          firstSeenAt: this.now(),
        });
        await this.write();
      }
      pinnedCertificates.add(certificate);
      return certificate as PinnedKeyCertificate;
    });
  }

  /** Removes a pin (an explicit user decision after checking the new key out of band). Returns whether one existed. */
  public async forget(providerId: string): Promise<boolean> {
    return this.mutex.runExclusive(async () => {
      if (!this.pins.delete(providerId)) return false;
      await this.write();
      return true;
    });
  }

  private async write(): Promise<void> {
    const content = {
      version: 1,
      pins: [...this.pins.values()].map((pin) => ({
        providerId: pin.providerId,
        identityKey: toBase64Url(pin.identityKey),
        firstSeenAt: pin.firstSeenAt,
      })),
    };
    await fs.mkdir(path.dirname(this.filePath), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.filePath, `${JSON.stringify(content, null, 2)}\n`);
  }
}

async function readPins(filePath: string): Promise<Map<string, ProviderPin>> {
  let text: string;
  try {
    const stat = await fs.stat(filePath);
    if (stat.size > MAX_PIN_FILE_BYTES) {
      throw new ProtocolError(
        'PIN_STORE_CORRUPT',
        `PinStore.open: pin file is larger than ${MAX_PIN_FILE_BYTES} bytes`,
      );
    }
    text = await fs.readFile(filePath, 'utf8');
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new ProtocolError('PIN_STORE_CORRUPT', 'PinStore.open: cannot read the pin file', { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ProtocolError(
      'PIN_STORE_CORRUPT',
      `PinStore.open: ${filePath} is not valid JSON; left untouched`,
    );
  }
  const parsed = pinFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new ProtocolError(
      'PIN_STORE_CORRUPT',
      `PinStore.open: ${filePath} does not match the pin file schema; left untouched`,
    );
  }
  const pins = new Map<string, ProviderPin>();
  for (const entry of parsed.data.pins) {
    const identityKey = fromBase64Url(entry.identityKey);
    if (
      identityKey === undefined ||
      pins.has(entry.providerId) ||
      toBase64Url(providerIdOf(identityKey)) !== entry.providerId
    ) {
      throw new ProtocolError(
        'PIN_STORE_CORRUPT',
        `PinStore.open: ${filePath} has a duplicate or invalid pin`,
      );
    }
    pins.set(entry.providerId, { providerId: entry.providerId, identityKey, firstSeenAt: entry.firstSeenAt });
  }
  return pins;
}

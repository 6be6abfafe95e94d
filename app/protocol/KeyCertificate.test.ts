import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EpochKeyPair } from '../crypto/EpochKeyPair';
import { IdentityKeyPair } from '../crypto/IdentityKeyPair';
import { getSodium } from '../crypto/sodium';
import { encodeCanonical } from './cbor';
import {
  CLOCK_SKEW_MS,
  LABEL_KEY_CERTIFICATE,
  LABEL_RECEIPT,
  MAX_CERTIFICATE_VALIDITY_MS,
} from './constants';
import { issueKeyCertificate, verifyKeyCertificate } from './KeyCertificate';
import { PinStore } from './PinStore';
import { ProtocolError } from './ProtocolError';
import { sealRequest } from './sealRequest';
import { decodeSignedEnvelope, encodeSignedEnvelope } from './signedEnvelope';
import { T0, TEST_MODEL, testContent } from './protocolTestKit';

const HOUR = 3_600_000;

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toSatisfy(
    (error: unknown) => error instanceof ProtocolError && error.code === code,
  );
}

async function certificateFor(
  identity: IdentityKeyPair,
  epoch: EpochKeyPair,
  notBefore = T0,
  notAfter = T0 + 24 * HOUR,
) {
  return issueKeyCertificate(identity, epoch, {
    notBefore,
    notAfter,
    models: [TEST_MODEL],
    backend: 'cpu',
    appVersion: '0.1.0',
  });
}

describe('key certificates (PROTOCOL.md §4)', () => {
  let identity: IdentityKeyPair;
  let epoch: EpochKeyPair;
  beforeAll(async () => {
    await getSodium();
  });
  beforeEach(async () => {
    identity = await IdentityKeyPair.generate();
    epoch = await EpochKeyPair.generate();
  });

  it('verifies a fresh certificate and returns every field', async () => {
    const verified = await verifyKeyCertificate(await certificateFor(identity, epoch), { now: T0 + HOUR });
    expect(verified.providerId).toEqual(identity.providerId);
    expect(verified.identityKey).toEqual(identity.publicKey);
    expect(verified.publicKey).toEqual(epoch.publicKey);
    expect(verified.keyId).toEqual(epoch.keyId);
    expect(verified.models).toEqual([TEST_MODEL]);
    expect(verified.backend).toBe('cpu');
  });

  it('rejects certificates outside their validity window (property)', async () => {
    const encoded = await certificateFor(identity, epoch);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 30 * 24 * HOUR }), async (delta) => {
        await expectCode(verifyKeyCertificate(encoded, { now: T0 + 24 * HOUR - 1 + delta }), 'EXPIRED');
        await expectCode(verifyKeyCertificate(encoded, { now: T0 - CLOCK_SKEW_MS - delta }), 'NOT_YET_VALID');
      }),
      { numRuns: 50 },
    );
    await expect(verifyKeyCertificate(encoded, { now: T0 - CLOCK_SKEW_MS })).resolves.toBeDefined();
  });

  it('rejects empty and overlong validity windows', async () => {
    await expectCode(
      verifyKeyCertificate(await certificateFor(identity, epoch, T0, T0), { now: T0 }),
      'MALFORMED',
    );
    const tooLong = await certificateFor(identity, epoch, T0, T0 + MAX_CERTIFICATE_VALIDITY_MS + 1);
    await expectCode(verifyKeyCertificate(tooLong, { now: T0 + 1 }), 'MALFORMED');
  });

  it('rejects a certificate whose body was signed by another identity', async () => {
    const other = await IdentityKeyPair.generate();
    const genuine = decodeSignedEnvelope(await certificateFor(identity, epoch), 'test');
    const forged = encodeSignedEnvelope(
      genuine.bodyBytes,
      other.sign(LABEL_KEY_CERTIFICATE, genuine.bodyBytes),
    );
    await expectCode(verifyKeyCertificate(forged, { now: T0 + 1 }), 'BAD_SIGNATURE');
  });

  it('rejects a signature made for another purpose (domain separation)', async () => {
    const genuine = decodeSignedEnvelope(await certificateFor(identity, epoch), 'test');
    const crossPurpose = encodeSignedEnvelope(
      genuine.bodyBytes,
      identity.sign(LABEL_RECEIPT, genuine.bodyBytes),
    );
    await expectCode(verifyKeyCertificate(crossPurpose, { now: T0 + 1 }), 'BAD_SIGNATURE');
  });

  it('rejects any single bit flip (property)', async () => {
    const encoded = await certificateFor(identity, epoch);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: encoded.length * 8 - 1 }), async (bit) => {
        const tampered = Uint8Array.from(encoded);
        tampered[bit >> 3] = (tampered[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        await expect(verifyKeyCertificate(tampered, { now: T0 + 1 })).rejects.toBeInstanceOf(ProtocolError);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a certificate for an unexpected provider id', async () => {
    const other = await IdentityKeyPair.generate();
    await expectCode(
      verifyKeyCertificate(await certificateFor(identity, epoch), {
        now: T0 + 1,
        expectedProviderId: other.providerId,
      }),
      'WRONG_PROVIDER',
    );
  });

  it('rejects a version it does not speak with BAD_VERSION', async () => {
    const genuine = decodeSignedEnvelope(await certificateFor(identity, epoch), 'test');
    const body = { ...(genuine.body as Record<string, unknown>), v: 2 };
    const bodyBytes = encodeCanonical(body);
    const future = encodeSignedEnvelope(bodyBytes, identity.sign(LABEL_KEY_CERTIFICATE, bodyBytes));
    await expectCode(verifyKeyCertificate(future, { now: T0 + 1 }), 'BAD_VERSION');
  });
});

describe('coordinator key substitution (PROTOCOL.md §3.2)', () => {
  let dir: string;
  beforeEach(async () => {
    await getSodium();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'veil-pin-test-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('stops a coordinator that relabels its own certificate with a pinned provider id', async () => {
    const provider = await IdentityKeyPair.generate();
    const coordinator = await IdentityKeyPair.generate();
    const pins = await PinStore.open({ filePath: path.join(dir, 'pins.json'), now: () => T0 });
    await pins.pin(
      await verifyKeyCertificate(await certificateFor(provider, await EpochKeyPair.generate()), { now: T0 }),
    );

    // Attack 1: the coordinator signs a certificate naming provider X's id with its own identity key.
    const coordinatorEpoch = await EpochKeyPair.generate();
    const honest = decodeSignedEnvelope(await certificateFor(coordinator, coordinatorEpoch), 'test');
    const relabelled = {
      ...(honest.body as Record<string, unknown>),
      providerId: provider.providerId,
    };
    const relabelledBytes = encodeCanonical(relabelled);
    const forged = encodeSignedEnvelope(
      relabelledBytes,
      coordinator.sign(LABEL_KEY_CERTIFICATE, relabelledBytes),
    );
    await expectCode(verifyKeyCertificate(forged, { now: T0 }), 'BAD_SIGNATURE');

    // Attack 2: the coordinator offers its own, honestly signed certificate in X's place. It verifies, but for the
    // coordinator's id, so a requester that asked for X refuses it, and TOFU can never pin it under X's id.
    const coordinatorCertificate = await verifyKeyCertificate(
      await certificateFor(coordinator, coordinatorEpoch),
      {
        now: T0,
      },
    );
    await expectCode(
      verifyKeyCertificate(coordinatorCertificate.encoded, {
        now: T0,
        expectedProviderId: provider.providerId,
      }),
      'WRONG_PROVIDER',
    );
    const pinned = await pins.pin(coordinatorCertificate);
    expect(pinned.providerId).toEqual(coordinator.providerId);
    expect(pins.size).toBe(2);

    // Why it matters: whoever holds the epoch key the requester sealed to reads the prompt.
    const pending = await sealRequest(pinned, testContent('for provider X only'), { now: T0 });
    expect(coordinatorEpoch.openSealed(pending.sealedRequest.subarray(62))).toBeDefined();
  });

  it('raises IDENTITY_CHANGED when a pinned provider id comes with another identity key', async () => {
    const provider = await IdentityKeyPair.generate();
    const impostor = await IdentityKeyPair.generate();
    const filePath = path.join(dir, 'pins.json');
    const pins = await PinStore.open({ filePath, now: () => T0 });
    const genuine = await verifyKeyCertificate(
      await certificateFor(provider, await EpochKeyPair.generate()),
      { now: T0 },
    );
    await pins.pin(genuine);
    // A verified certificate for X's id under the impostor's key would need a BLAKE2b collision; model the
    // coordinator that manages it (or a tampered verifier) by presenting such a certificate object directly.
    const substituted = { ...genuine, identityKey: impostor.publicKey };
    const error = await pins.pin(substituted).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe('IDENTITY_CHANGED');
    expect((error as ProtocolError).message).toMatch(
      /different identity key than the one pinned on first use/,
    );
    // The refusal survives a restart: the pin was persisted.
    const reopened = await PinStore.open({ filePath });
    await expectCode(reopened.pin(substituted), 'IDENTITY_CHANGED');
    await expect(reopened.pin(genuine)).resolves.toBe(genuine);
  });

  it('refuses to seal to a certificate that never went through the pin store', async () => {
    const provider = await IdentityKeyPair.generate();
    const verified = await verifyKeyCertificate(
      await certificateFor(provider, await EpochKeyPair.generate()),
      { now: T0 },
    );
    await expectCode(
      // @ts-expect-error a verified but unpinned certificate is deliberately not a PinnedKeyCertificate
      sealRequest(verified, testContent('secret'), { now: T0 }),
      'IDENTITY_CHANGED',
    );
  });
});

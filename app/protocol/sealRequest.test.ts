import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityKeyPair } from '../crypto/IdentityKeyPair';
import { BOX_SEAL_OVERHEAD_BYTES } from '../crypto/constants';
import { CLOCK_SKEW_MS, MAX_REQUEST_BUCKET_BYTES, MAX_REQUEST_TTL_MS } from './constants';
import { verifyKeyCertificate } from './KeyCertificate';
import { isRequestBucket, padmeLength } from './padding';
import { ProtocolError } from './ProtocolError';
import { ProviderKeyring } from './ProviderKeyring';
import { ReplayCache } from './ReplayCache';
import { sealRequest } from './sealRequest';
import { parseSealedRequestHeader, SEALED_REQUEST_HEADER_BYTES } from './SealedRequestHeader';
import { createProtocolWorld, TEST_MODEL, testContent } from './protocolTestKit';
import type { ProtocolWorld } from './protocolTestKit';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return 'OK';
}

function withExpiry(sealed: Uint8Array, expiresAt: number): Uint8Array {
  const copy = Uint8Array.from(sealed);
  new DataView(copy.buffer).setBigUint64(54, BigInt(expiresAt));
  return copy;
}

describe('sealed requests (PROTOCOL.md §5)', () => {
  let world: ProtocolWorld;
  beforeEach(async () => {
    world = await createProtocolWorld();
  });
  afterEach(async () => {
    await world.dispose();
  });

  it('round-trips prompts of random sizes and content (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 2000 }),
        fc.option(fc.uint8Array({ maxLength: 64 }), { nil: undefined }),
        async (prompt, authorization) => {
          const content = {
            ...testContent(prompt),
            ...(authorization === undefined ? {} : { authorization }),
          };
          const pending = await sealRequest(world.certificate, content, { now: world.clock.value });
          const header = parseSealedRequestHeader(pending.sealedRequest);
          expect(isRequestBucket(header.bucket)).toBe(true);
          expect(pending.sealedRequest.length).toBe(
            SEALED_REQUEST_HEADER_BYTES + header.bucket + BOX_SEAL_OVERHEAD_BYTES,
          );
          const opened = await world.keyring.openSealedRequest(pending.sealedRequest);
          expect(opened.messages[0]?.content).toBe(prompt);
          expect(opened.authorization).toEqual(authorization);
          expect(opened.sealedRequestHash).toEqual(pending.sealedRequestHash);
          expect(opened.innerRequestHash).toEqual(pending.innerRequestHash);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('round-trips on both sides of every bucket boundary up to 32 KiB and at the largest bucket', async () => {
    const bucketOf = async (length: number) => {
      try {
        return (
          await sealRequest(world.certificate, testContent('a'.repeat(length)), { now: world.clock.value })
        ).header.bucket;
      } catch (error) {
        if (error instanceof ProtocolError && error.code === 'TOO_LARGE') return Number.POSITIVE_INFINITY;
        throw error;
      }
    };
    const smallest = await bucketOf(0);
    const boundaries: number[] = [];
    for (let size = smallest; size <= 32 * 1024; size = padmeLength(size + 1)) boundaries.push(size);
    boundaries.push(MAX_REQUEST_BUCKET_BYTES);
    for (const boundary of boundaries) {
      // Binary search for the longest prompt that still fits `boundary` (buckets grow monotonically with length).
      let low = 0;
      let high = boundary;
      while (low < high) {
        const middle = Math.ceil((low + high) / 2);
        if ((await bucketOf(middle)) <= boundary) low = middle;
        else high = middle - 1;
      }
      const last = low;
      expect(await bucketOf(last)).toBe(boundary);
      for (const probe of boundary === MAX_REQUEST_BUCKET_BYTES ? [last] : [last, last + 1]) {
        const pending = await sealRequest(world.certificate, testContent('a'.repeat(probe)), {
          now: world.clock.value,
        });
        expect(pending.header.bucket).toBe(probe === last ? boundary : padmeLength(boundary + 1));
        const opened = await world.keyring.openSealedRequest(pending.sealedRequest);
        expect(opened.messages[0]?.content.length).toBe(probe);
      }
    }
  }, 120_000);

  it('refuses requests too large for the largest bucket', async () => {
    const error = await codeOf(
      sealRequest(world.certificate, testContent('a'.repeat(MAX_REQUEST_BUCKET_BYTES)), {
        now: world.clock.value,
      }),
    );
    expect(error).toBe('TOO_LARGE');
  });

  it('rejects any single bit flip anywhere in a sealed request (property)', async () => {
    const pending = await sealRequest(world.certificate, testContent('flip me'), { now: world.clock.value });
    const sealed = pending.sealedRequest;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: sealed.length * 8 - 1 }), async (bit) => {
        const tampered = Uint8Array.from(sealed);
        tampered[bit >> 3] = (tampered[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        expect(await codeOf(world.keyring.openSealedRequest(tampered))).not.toBe('OK');
      }),
      { numRuns: 400 },
    );
    // The untouched request still opens: nothing above consumed its request id.
    await expect(world.keyring.openSealedRequest(sealed)).resolves.toBeDefined();
  });

  it('rejects truncated and extended requests', async () => {
    const { sealedRequest } = await sealRequest(world.certificate, testContent('cut'), {
      now: world.clock.value,
    });
    for (const length of [
      0,
      1,
      SEALED_REQUEST_HEADER_BYTES - 1,
      SEALED_REQUEST_HEADER_BYTES,
      sealedRequest.length - 1,
    ]) {
      expect(await codeOf(world.keyring.openSealedRequest(sealedRequest.subarray(0, length)))).toBe(
        'MALFORMED',
      );
    }
    const extended = new Uint8Array(sealedRequest.length + 1);
    extended.set(sealedRequest);
    expect(await codeOf(world.keyring.openSealedRequest(extended))).toBe('MALFORMED');
  });

  it('rejects an outer header that differs from the sealed copy (HEADER_MISMATCH)', async () => {
    const pending = await sealRequest(world.certificate, testContent('bound'), { now: world.clock.value });
    const altered = withExpiry(pending.sealedRequest, pending.header.expiresAt - 1000);
    expect(await codeOf(world.keyring.openSealedRequest(altered))).toBe('HEADER_MISMATCH');
  });

  it("rejects one request's ciphertext under another request's header (cross-request swap)", async () => {
    const a = await sealRequest(world.certificate, testContent('request A'), { now: world.clock.value });
    const b = await sealRequest(world.certificate, testContent('request B'), { now: world.clock.value + 1 });
    expect(a.header.bucket).toBe(b.header.bucket);
    const swapped = Uint8Array.from(a.sealedRequest);
    swapped.set(b.sealedRequest.subarray(0, SEALED_REQUEST_HEADER_BYTES));
    expect(await codeOf(world.keyring.openSealedRequest(swapped))).toBe('HEADER_MISMATCH');
  });

  it('rejects a replayed request, and keeps rejecting it until it expires', async () => {
    const pending = await sealRequest(world.certificate, testContent('once'), { now: world.clock.value });
    await world.keyring.openSealedRequest(pending.sealedRequest);
    expect(await codeOf(world.keyring.openSealedRequest(pending.sealedRequest))).toBe('REPLAY');
    world.clock.value = pending.header.expiresAt;
    expect(await codeOf(world.keyring.openSealedRequest(pending.sealedRequest))).toBe('EXPIRED');
  });

  it('rejects expired, far-future and mis-addressed requests', async () => {
    const pending = await sealRequest(world.certificate, testContent('late'), {
      now: world.clock.value,
      ttlMs: 1000,
    });
    world.clock.value += 1000;
    expect(await codeOf(world.keyring.openSealedRequest(pending.sealedRequest))).toBe('EXPIRED');
    const farFuture = withExpiry(
      pending.sealedRequest,
      world.clock.value + MAX_REQUEST_TTL_MS + CLOCK_SKEW_MS + 1,
    );
    expect(await codeOf(world.keyring.openSealedRequest(farFuture))).toBe('BAD_EXPIRY');
    expect(
      await codeOf(
        sealRequest(world.certificate, testContent('x'), {
          now: world.clock.value,
          ttlMs: MAX_REQUEST_TTL_MS + 1,
        }),
      ),
    ).toBe('BAD_EXPIRY');

    const otherIdentity = await IdentityKeyPair.generate();
    const other = await ProviderKeyring.create({
      identity: otherIdentity,
      models: [TEST_MODEL],
      backend: 'cpu',
      appVersion: '0.1.0',
      now: world.clock.now,
    });
    const fresh = await sealRequest(world.certificate, testContent('for the first provider'), {
      now: world.clock.value,
    });
    expect(await codeOf(other.openSealedRequest(fresh.sealedRequest))).toBe('WRONG_PROVIDER');
    other.dispose();
  });

  it('rejects a request sealed to an unknown key id', async () => {
    const pending = await sealRequest(world.certificate, testContent('which key?'), {
      now: world.clock.value,
    });
    const unknown = Uint8Array.from(pending.sealedRequest);
    unknown[40] = (unknown[40] ?? 0) ^ 1;
    expect(await codeOf(world.keyring.openSealedRequest(unknown))).toBe('UNKNOWN_KEY');
  });

  it('refuses sealing to an expired certificate', async () => {
    world.clock.value = world.certificate.notAfter;
    expect(await codeOf(sealRequest(world.certificate, testContent('x'), { now: world.clock.value }))).toBe(
      'EXPIRED',
    );
  });

  it('wipes the response key on dispose', async () => {
    const pending = await sealRequest(world.certificate, testContent('bye'), { now: world.clock.value });
    pending.dispose();
    expect(() => pending.deriveStreamKey()).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
    pending.dispose();
  });
});

describe('epoch rotation and forward secrecy (PROTOCOL.md §4.2)', () => {
  it('rotates before expiry, keeps old keys through the grace window, then wipes them', async () => {
    const world = await createProtocolWorld();
    const { clock, keyring } = world;
    const firstKeyId = world.certificate.keyId;
    const pending = await sealRequest(world.certificate, testContent('old key'), {
      now: clock.value,
      ttlMs: MAX_REQUEST_TTL_MS,
    });

    clock.value = world.certificate.notAfter - 60 * 60 * 1000;
    expect(await keyring.maintain()).toBe(true);
    const next = await verifyKeyCertificate(await keyring.currentCertificate(), { now: clock.value });
    expect(next.keyId).not.toEqual(firstKeyId);
    expect(keyring.liveKeyIds).toHaveLength(2);

    // A request sealed to the old key just before its not-after still opens during the grace window.
    clock.value = world.certificate.notAfter - 1000;
    const late = await sealRequest(world.certificate, testContent('just in time'), {
      now: clock.value,
      ttlMs: MAX_REQUEST_TTL_MS,
    });
    clock.value = world.certificate.notAfter + MAX_REQUEST_TTL_MS - 2000;
    await expect(keyring.openSealedRequest(late.sealedRequest)).resolves.toBeDefined();

    // After not-after + grace the old secret is gone: even a request the provider never saw cannot be opened.
    clock.value = world.certificate.notAfter + 11 * 60 * 1000 + 1;
    await keyring.maintain();
    expect(keyring.liveKeyIds).toHaveLength(1);
    const stale = withExpiry(pending.sealedRequest, clock.value + 1000);
    expect(await codeOf(keyring.openSealedRequest(stale))).toBe('UNKNOWN_KEY');
    await world.dispose();
  });

  it('refuses use after dispose', async () => {
    const world = await createProtocolWorld();
    world.keyring.dispose();
    world.keyring.dispose();
    expect(await codeOf(world.keyring.currentCertificate())).toBe('DISPOSED');
    await world.dispose();
  });
});

describe('ReplayCache', () => {
  it('bounds its size and frees entries once they expire', () => {
    const cache = new ReplayCache({ maxEntries: 2 });
    const id = (n: number) => new Uint8Array(16).fill(n);
    cache.checkAndRemember(id(1), 100, 0);
    cache.checkAndRemember(id(2), 200, 0);
    expect(() => cache.checkAndRemember(id(3), 300, 50)).toThrow(
      expect.objectContaining({ code: 'REPLAY_CACHE_FULL' }),
    );
    expect(() => cache.checkAndRemember(id(1), 100, 50)).toThrow(expect.objectContaining({ code: 'REPLAY' }));
    cache.checkAndRemember(id(3), 300, 150);
    expect(cache.size).toBe(2);
  });
});

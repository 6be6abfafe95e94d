import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EpochKeyPair } from '../crypto/EpochKeyPair';
import { IdentityKeyPair } from '../crypto/IdentityKeyPair';
import { toBase64Url } from '../crypto/base64url';
import { getSodium } from '../crypto/sodium';
import { issueKeyCertificate, verifyKeyCertificate } from './KeyCertificate';
import { PIN_STORE_FILE_NAME, PinStore } from './PinStore';
import { ProtocolError } from './ProtocolError';
import { T0, TEST_MODEL } from './protocolTestKit';

async function freshCertificate() {
  const identity = await IdentityKeyPair.generate();
  const encoded = await issueKeyCertificate(identity, await EpochKeyPair.generate(), {
    notBefore: T0,
    notAfter: T0 + 3_600_000,
    models: [TEST_MODEL],
    backend: 'cpu',
    appVersion: '0.1.0',
  });
  return verifyKeyCertificate(encoded, { now: T0 });
}

describe('PinStore (PROTOCOL.md §4.3)', () => {
  let dir: string;
  let filePath: string;
  beforeEach(async () => {
    await getSodium();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'veil-pins-'));
    filePath = path.join(dir, 'keys', 'pins.json');
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('pins on first use, persists atomically and reloads', async () => {
    const store = await PinStore.open({ filePath, now: () => T0 });
    const certificate = await freshCertificate();
    await store.pin(certificate);
    const providerId = toBase64Url(certificate.providerId);
    expect(store.get(providerId)?.firstSeenAt).toBe(T0);
    expect((await fs.readdir(path.dirname(filePath))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    const reopened = await PinStore.open({ filePath });
    expect(reopened.get(providerId)?.identityKey).toEqual(certificate.identityKey);
    expect(await reopened.forget(providerId)).toBe(true);
    expect(await reopened.forget(providerId)).toBe(false);
    expect((await PinStore.open({ filePath })).size).toBe(0);
  });

  it('serializes concurrent pins without losing any', async () => {
    const store = await PinStore.open({ filePath });
    const certificates = await Promise.all(Array.from({ length: 8 }, () => freshCertificate()));
    await Promise.all(certificates.map((certificate) => store.pin(certificate)));
    expect((await PinStore.open({ filePath })).size).toBe(8);
  });

  it('defaults to the keys directory under VEIL_HOME', async () => {
    const previous = process.env.VEIL_HOME;
    process.env.VEIL_HOME = dir;
    try {
      const store = await PinStore.open();
      await store.pin(await freshCertificate());
      await expect(fs.stat(path.join(dir, 'keys', PIN_STORE_FILE_NAME))).resolves.toBeDefined();
    } finally {
      if (previous === undefined) delete process.env.VEIL_HOME;
      else process.env.VEIL_HOME = previous;
    }
  });

  it.each([
    ['not JSON', '{"version":1,'],
    ['the wrong schema', '{"version":1,"pins":[{"providerId":"x"}]}'],
    ['a future version', '{"version":2,"pins":[]}'],
  ])('refuses a pin file that is %s and leaves it untouched', async (_name, content) => {
    await fs.mkdir(path.dirname(filePath), { recursive: true });
    await fs.writeFile(filePath, content);
    await expect(PinStore.open({ filePath })).rejects.toSatisfy(
      (error: unknown) => error instanceof ProtocolError && error.code === 'PIN_STORE_CORRUPT',
    );
    expect(await fs.readFile(filePath, 'utf8')).toBe(content);
  });

  it('refuses a pin whose provider id is not the hash of its identity key', async () => {
    const a = await freshCertificate();
    const b = await freshCertificate();
    await fs.mkdir(path.dirname(filePath), { recursive: true });
    await fs.writeFile(
      filePath,
      JSON.stringify({
        version: 1,
        pins: [
          { providerId: toBase64Url(a.providerId), identityKey: toBase64Url(b.identityKey), firstSeenAt: T0 },
        ],
      }),
    );
    await expect(PinStore.open({ filePath })).rejects.toSatisfy(
      (error: unknown) => error instanceof ProtocolError && error.code === 'PIN_STORE_CORRUPT',
    );
  });
});

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { IdentityKeyPair } from '../crypto/IdentityKeyPair';
import { getSodium } from '../crypto/sodium';
import { verifyKeyCertificate } from './KeyCertificate';
import { PinStore } from './PinStore';
import type { PinnedKeyCertificate } from './PinStore';
import { ProviderKeyring } from './ProviderKeyring';
import type { ModelRef, SamplingParams } from './schemas';
import type { RequestContent } from './sealRequest';

/** Shared setup for the protocol tests: a provider, its keyring, and a requester with a pin store in a temp dir. */

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

export const TEST_MODEL: ModelRef = { id: 'qwen3-0.6b-q4', sha256: new Uint8Array(32).fill(7) };

export const TEST_SAMPLING: SamplingParams = {
  temperature: 0.7,
  topP: 0.95,
  topK: 40,
  maxTokens: 256,
  seed: 42,
};

export function testContent(prompt: string): RequestContent {
  return { model: TEST_MODEL, messages: [{ role: 'user', content: prompt }], sampling: TEST_SAMPLING };
}

/** A mutable clock. */
export class TestClock {
  public value: number;
  public constructor(start: number = T0) {
    this.value = start;
  }
  public readonly now = (): number => this.value;
}

export interface ProtocolWorld {
  readonly clock: TestClock;
  readonly identity: IdentityKeyPair;
  readonly keyring: ProviderKeyring;
  readonly pins: PinStore;
  readonly pinDir: string;
  readonly certificate: PinnedKeyCertificate;
  dispose(): Promise<void>;
}

/** A provider with a live keyring and a requester that already verified and pinned its certificate. */
export async function createProtocolWorld(options: { clock?: TestClock } = {}): Promise<ProtocolWorld> {
  await getSodium();
  const clock = options.clock ?? new TestClock();
  const identity = await IdentityKeyPair.generate();
  const keyring = await ProviderKeyring.create({
    identity,
    models: [TEST_MODEL],
    backend: 'cpu',
    appVersion: '0.1.0',
    now: clock.now,
  });
  const pinDir = await fs.mkdtemp(path.join(os.tmpdir(), 'veil-pins-'));
  const pins = await PinStore.open({ filePath: path.join(pinDir, 'pins.json'), now: clock.now });
  const verified = await verifyKeyCertificate(await keyring.currentCertificate(), { now: clock.value });
  const certificate = await pins.pin(verified);
  return {
    clock,
    identity,
    keyring,
    pins,
    pinDir,
    certificate,
    async dispose() {
      keyring.dispose();
      identity.dispose();
      await fs.rm(pinDir, { recursive: true, force: true });
    },
  };
}

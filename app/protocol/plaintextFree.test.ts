import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { toBase64Url } from '../crypto/base64url';
import { toHex } from '../crypto/bytes';
import { sealBox } from '../crypto/sealBox';
import { getSodium } from '../crypto/sodium';
import { encodeCanonical } from './cbor';
import { PROTOCOL_VERSION, STREAM_CHUNK_BLOCK_BYTES } from './constants';
import { requestBucketFor, padTo, padToBlock } from './padding';
import { ProtocolError } from './ProtocolError';
import { ResponseStreamReader } from './ResponseStreamReader';
import { ResponseStreamWriter } from './ResponseStreamWriter';
import { sealRequest } from './sealRequest';
import { encodeSealedRequestHeader } from './SealedRequestHeader';
import { encodeStreamChunk } from './streamChunk';
import { createProtocolWorld, TEST_MODEL, TEST_SAMPLING, testContent } from './protocolTestKit';
import type { ProtocolWorld } from './protocolTestKit';

const CANARY = `CNRY-${'0123456789abcdef'.repeat(2)}`;

/** Every encoding of `bytes` a leak could take (§5.3 of the security notes), in all base64 alignments. */
function encodingsOf(bytes: Uint8Array): string[] {
  const forms = [new TextDecoder().decode(bytes), toHex(bytes), toHex(bytes).toUpperCase()];
  for (let shift = 0; shift < 3; shift++) {
    const slice = bytes.subarray(shift, shift + 24);
    const base64 = Buffer.from(slice).toString('base64').slice(4, -4);
    const base64url = toBase64Url(slice).slice(4, -4);
    if (base64.length > 8) forms.push(base64, base64url);
  }
  return forms.filter((form) => form.length >= 8);
}

function everythingSaidAbout(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    parts.push(String(current), JSON.stringify(current) ?? '');
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? '');
      current = current.cause;
    } else {
      current = undefined;
    }
  }
  return parts.join('\n');
}

describe('plaintext-free failure paths (PROTOCOL.md §9.2)', () => {
  let world: ProtocolWorld;
  const consoleSpies: Array<ReturnType<typeof vi.spyOn>> = [];
  beforeEach(async () => {
    world = await createProtocolWorld();
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      consoleSpies.push(vi.spyOn(console, method));
    }
  });
  afterEach(async () => {
    for (const spy of consoleSpies.splice(0)) spy.mockRestore();
    await world.dispose();
  });

  it('never echoes the prompt, the output or the ciphertext in errors or logs', async () => {
    await getSodium();
    const secretBytes = new TextEncoder().encode(CANARY);
    const failures: unknown[] = [];
    const capture = async (run: () => unknown) => {
      try {
        await run();
      } catch (error) {
        failures.push(error);
        return;
      }
      throw new Error('expected a failure');
    };

    // Requests: tampered ciphertext, altered header (decrypts, then fails), replay, and a schema failure inside.
    const pending = await sealRequest(world.certificate, testContent(`${CANARY} ${CANARY}`), {
      now: world.clock.value,
    });
    const sealed = pending.sealedRequest;
    const tampered = Uint8Array.from(sealed);
    tampered[100] = (tampered[100] ?? 0) ^ 1;
    await capture(() => world.keyring.openSealedRequest(tampered));
    const altered = Uint8Array.from(sealed);
    new DataView(altered.buffer).setBigUint64(54, BigInt(pending.header.expiresAt - 1));
    await capture(() => world.keyring.openSealedRequest(altered));
    await world.keyring.openSealedRequest(sealed);
    await capture(() => world.keyring.openSealedRequest(sealed));

    const badInner = {
      v: PROTOCOL_VERSION,
      header: new Uint8Array(62) as Uint8Array,
      requestId: new Uint8Array(16),
      expiresAt: world.clock.value + 1000,
      model: TEST_MODEL,
      messages: [{ role: CANARY, content: CANARY }],
      sampling: TEST_SAMPLING,
      responseKey: new Uint8Array(32),
    };
    const innerBytes = encodeCanonical(badInner);
    const bucket = requestBucketFor(innerBytes.length) ?? 0;
    const header = encodeSealedRequestHeader({
      providerId: world.certificate.providerId,
      keyId: world.certificate.keyId,
      bucket,
      expiresAt: world.clock.value + 1000,
    });
    badInner.header = header;
    const forged = new Uint8Array([
      ...header,
      ...sealBox(padTo(encodeCanonical(badInner), bucket) ?? new Uint8Array(), world.certificate.publicKey),
    ]);
    await capture(() => world.keyring.openSealedRequest(forged));

    // Responses: tampered frame, truncation, and a receipt mismatch after the canary text was decrypted.
    world.clock.value += 1;
    const second = await sealRequest(world.certificate, testContent('q'), { now: world.clock.value });
    const opened = await world.keyring.openSealedRequest(second.sealedRequest);
    const writer = await ResponseStreamWriter.create({
      request: opened,
      identity: world.identity,
      backend: 'cpu',
      appVersion: '0.1.0',
    });
    const tokenFrame = writer.pushTokens(secretBytes);
    const { frame: finalFrame } = writer.finish({ prompt: 1, completion: 1 });
    const badFrame = Uint8Array.from(tokenFrame);
    badFrame[5] = (badFrame[5] ?? 0) ^ 1;
    const reader1 = await ResponseStreamReader.create(second, writer.header);
    await capture(() => reader1.pull(badFrame));
    const reader2 = await ResponseStreamReader.create(second, writer.header);
    reader2.pull(tokenFrame);
    await capture(() => reader2.end());

    const sodium = await getSodium();
    const { state, header: rogueHeader } = sodium.crypto_secretstream_xchacha20poly1305_init_push(
      opened.deriveStreamKey(),
    );
    const rogueFrame = sodium.crypto_secretstream_xchacha20poly1305_push(
      state,
      padToBlock(encodeStreamChunk({ t: 'tokens', seq: 7, text: secretBytes }), STREAM_CHUNK_BLOCK_BYTES),
      null,
      sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
    );
    const reader3 = await ResponseStreamReader.create(second, rogueHeader);
    await capture(() => reader3.pull(rogueFrame));

    expect(failures).toHaveLength(7);
    const forbidden = [
      ...encodingsOf(secretBytes),
      ...encodingsOf(sealed.subarray(62, 62 + 48)),
      ...encodingsOf(tokenFrame),
      ...encodingsOf(finalFrame),
      ...encodingsOf(forged.subarray(62, 62 + 48)),
    ];
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(ProtocolError);
      const said = everythingSaidAbout(failure);
      for (const form of forbidden) expect(said).not.toContain(form);
    }
    for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled();
  });
});

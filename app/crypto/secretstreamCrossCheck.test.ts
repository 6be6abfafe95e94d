import fs from 'node:fs/promises';
import path from 'node:path';
import { poly1305 } from '@noble/ciphers/_poly1305.js';
import { chacha20, hchacha } from '@noble/ciphers/chacha.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, constantTimeEqual } from './bytes';
import { getSodium } from './sodium';

const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);

function words(bytes: Uint8Array): Uint32Array {
  return new Uint32Array(Uint8Array.from(bytes).buffer);
}

function le64(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value), true);
  return out;
}

/**
 * An independent reader of libsodium's crypto_secretstream_xchacha20poly1305 (no associated data), written from the
 * construction with @noble primitives: subkey = HChaCha20(key, header[0..16]); nonce = counter(LE32, from 1) ‖
 * header[16..24]; per chunk, Poly1305 key = ChaCha20(block 0), tag byte encrypted with block 1, message from block 2,
 * MAC over ad ‖ pad ‖ encrypted 64-byte tag block ‖ ciphertext ‖ pad ‖ LE64(adlen) ‖ LE64(64 + mlen); then the nonce's
 * last 8 bytes are XORed with the MAC and the counter increments. Rekeying is not needed for these short streams.
 */
function nobleSecretstreamPull(key: Uint8Array, header: Uint8Array, frames: ReadonlyArray<Uint8Array>) {
  const subkeyWords = new Uint32Array(8);
  hchacha(SIGMA, words(key), words(header.subarray(0, 16)), subkeyWords);
  const subkey = new Uint8Array(subkeyWords.buffer);
  const nonce = new Uint8Array(12);
  nonce[0] = 1;
  nonce.set(header.subarray(16, 24), 4);
  return frames.map((frame) => {
    const mlen = frame.length - 17;
    const polyKey = chacha20(subkey, nonce, new Uint8Array(64)).subarray(0, 32);
    const block = new Uint8Array(64);
    block[0] = frame[0] ?? 0;
    const decryptedBlock = chacha20(subkey, nonce, block, undefined, 1);
    const tag = decryptedBlock[0] ?? 0;
    const macBlock = Uint8Array.from(decryptedBlock);
    macBlock[0] = frame[0] ?? 0;
    const ciphertext = frame.subarray(1, 1 + mlen);
    // libsodium pads with (16 - 64 + mlen) & 15 zero bytes here (its historical padding rule).
    const padding = new Uint8Array((0x10 - 64 + mlen) & 0xf);
    const mac = poly1305(concatBytes(macBlock, ciphertext, padding, le64(0), le64(64 + mlen)), polyKey);
    const valid = constantTimeEqual(mac, frame.subarray(1 + mlen));
    const message = chacha20(subkey, nonce, ciphertext, undefined, 2);
    for (let i = 0; i < 8; i++) nonce[4 + i] = (nonce[4 + i] ?? 0) ^ (mac[i] ?? 0);
    new DataView(nonce.buffer).setUint32(0, new DataView(nonce.buffer).getUint32(0, true) + 1, true);
    return { valid, tag, message };
  });
}

describe('secretstream cross-checked against @noble (PROTOCOL.md §10)', () => {
  it('decrypts and authenticates libsodium secretstream frames independently (property)', async () => {
    const sodium = await getSodium();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 6 }),
        async (messages) => {
          const key = sodium.crypto_secretstream_xchacha20poly1305_keygen();
          const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
          const frames = messages.map((message, index) =>
            sodium.crypto_secretstream_xchacha20poly1305_push(
              state,
              message,
              null,
              index === messages.length - 1
                ? sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
                : sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
            ),
          );
          const pulled = nobleSecretstreamPull(key, header, frames);
          expect(pulled.map((chunk) => chunk.valid)).toEqual(messages.map(() => true));
          expect(pulled.map((chunk) => chunk.message)).toEqual(messages);
          expect(pulled.at(-1)?.tag).toBe(sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL);
          const tampered = frames.map((frame) => Uint8Array.from(frame));
          const last = tampered.at(-1) ?? new Uint8Array(17);
          last[last.length - 1] = (last[last.length - 1] ?? 0) ^ 1;
          expect(nobleSecretstreamPull(key, header, tampered).at(-1)?.valid).toBe(false);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('recorded response vector, read independently', () => {
  it('decrypts test/vectors/response-stream-frames.json to the expected chunk plaintexts', async () => {
    const directory = path.join(import.meta.dirname, '..', '..', 'test', 'vectors');
    const read = async (name: string) =>
      JSON.parse(await fs.readFile(path.join(directory, name), 'utf8')) as unknown;
    const frames = (await read('response-stream-frames.json')) as { streamHeader: string; frames: string[] };
    const sealed = (await read('sealed-request.json')) as { streamKey: string };
    const response = (await read('response.json')) as { chunkPlaintexts: string[] };
    const hex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));
    const pulled = nobleSecretstreamPull(
      hex(sealed.streamKey),
      hex(frames.streamHeader),
      frames.frames.map(hex),
    );
    expect(pulled.every((chunk) => chunk.valid)).toBe(true);
    expect(pulled.map((chunk) => Buffer.from(chunk.message).toString('hex'))).toEqual(
      response.chunkPlaintexts,
    );
    expect(pulled.map((chunk) => chunk.tag)).toEqual([0, 0, 3]);
  });
});

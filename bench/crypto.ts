/**
 * `npm run bench:crypto`: costs of the sealed request protocol (docs/PROTOCOL.md §11). Repetitions of every case are
 * interleaved (so background load hits all cases alike), the first rounds are warm-up, and each figure is the median
 * over rounds of the per-operation mean within a round, in microseconds. The JSON object is the last line of stdout.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { IdentityKeyPair } from '../app/crypto/IdentityKeyPair';
import { getSodium } from '../app/crypto/sodium';
import {
  MAX_REQUEST_BUCKET_BYTES,
  PROTOCOL_VERSION,
  STREAM_CHUNK_BLOCK_BYTES,
} from '../app/protocol/constants';
import { verifyKeyCertificate } from '../app/protocol/KeyCertificate';
import { requestBucketFor } from '../app/protocol/padding';
import { PinStore } from '../app/protocol/PinStore';
import { ProviderKeyring } from '../app/protocol/ProviderKeyring';
import { signReceipt, verifyReceiptSync } from '../app/protocol/Receipt';
import type { ReceiptBody } from '../app/protocol/Receipt';
import { ReplayCache } from '../app/protocol/ReplayCache';
import { ResponseStreamReader } from '../app/protocol/ResponseStreamReader';
import { ResponseStreamWriter } from '../app/protocol/ResponseStreamWriter';
import type { ModelRef, SamplingParams } from '../app/protocol/schemas';
import { sealRequest } from '../app/protocol/sealRequest';

const ROUNDS = 15;
const WARMUP_ROUNDS = 3;
const TARGET_SEAL_OPEN_16K_US = 1000;
const TARGET_CHUNK_US = 10;
const TARGET_MEAN_PADDING = 0.12;

const model: ModelRef = { id: 'bench-model', sha256: new Uint8Array(32).fill(1) };
const sampling: SamplingParams = { temperature: 0.7, topP: 0.95, topK: 40, maxTokens: 512, seed: 7 };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

interface Case {
  readonly name: string;
  /** Operations per round. */
  readonly iterations: number;
  readonly run: () => Promise<void> | void;
}

async function measure(cases: ReadonlyArray<Case>): Promise<Record<string, number>> {
  const samples = new Map<string, number[]>(cases.map((benchCase) => [benchCase.name, []]));
  for (let round = 0; round < ROUNDS + WARMUP_ROUNDS; round++) {
    for (const benchCase of cases) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < benchCase.iterations; i++) await benchCase.run();
      const perOpUs = Number(process.hrtime.bigint() - start) / 1000 / benchCase.iterations;
      if (round >= WARMUP_ROUNDS) samples.get(benchCase.name)?.push(perOpUs);
    }
  }
  return Object.fromEntries([...samples].map(([name, values]) => [name, round2(median(values))]));
}

/** Padding overhead of request buckets over sizes drawn uniformly in log-size between 200 B and 128 KiB. */
function paddingOverhead(): {
  mean: number;
  max: number;
  perSizeClass: Array<{ from: number; to: number; mean: number; max: number }>;
} {
  const low = Math.log(200);
  const high = Math.log(128 * 1024);
  const samples = 200_000;
  const classes = new Map<number, { sum: number; count: number; max: number }>();
  let sum = 0;
  let max = 0;
  for (let i = 0; i < samples; i++) {
    // A deterministic low-discrepancy walk over the log-size range keeps the figure stable between runs.
    const length = Math.round(Math.exp(low + ((i + 0.5) / samples) * (high - low)));
    const bucket = requestBucketFor(length) ?? MAX_REQUEST_BUCKET_BYTES;
    const overhead = bucket / length - 1;
    sum += overhead;
    max = Math.max(max, overhead);
    const sizeClass = 2 ** Math.floor(Math.log2(length));
    const entry = classes.get(sizeClass) ?? { sum: 0, count: 0, max: 0 };
    entry.sum += overhead;
    entry.count += 1;
    entry.max = Math.max(entry.max, overhead);
    classes.set(sizeClass, entry);
  }
  return {
    mean: sum / samples,
    max,
    perSizeClass: [...classes].map(([from, entry]) => ({
      from,
      to: from * 2 - 1,
      mean: Math.round((entry.sum / entry.count) * 10_000) / 10_000,
      max: Math.round(entry.max * 10_000) / 10_000,
    })),
  };
}

async function main(): Promise<void> {
  await getSodium();
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'veil-bench-crypto-'));
  const identity = await IdentityKeyPair.generate();
  const keyring = await ProviderKeyring.create({
    identity,
    models: [model],
    backend: 'cpu',
    appVersion: 'bench',
    replayCache: new ReplayCache({ maxEntries: 1_000_000 }),
  });
  try {
    const pins = await PinStore.open({ filePath: path.join(directory, 'pins.json') });
    const certificate = await pins.pin(
      await verifyKeyCertificate(await keyring.currentCertificate(), { now: Date.now() }),
    );

    const sealOpen = (bytes: number): Case => {
      const prompt = 'x'.repeat(bytes);
      return {
        name: `sealOpen${bytes / 1024}KiB`,
        iterations: bytes >= 128 * 1024 ? 5 : 20,
        run: async () => {
          const pending = await sealRequest(
            certificate,
            { model, messages: [{ role: 'user', content: prompt }], sampling },
            { now: Date.now() },
          );
          const opened = await keyring.openSealedRequest(pending.sealedRequest);
          opened.dispose();
          pending.dispose();
        },
      };
    };

    // One long stream per direction; a chunk is a typical token batch (about 4 tokens of English).
    const streamPending = await sealRequest(
      certificate,
      { model, messages: [{ role: 'user', content: 'stream' }], sampling },
      { now: Date.now() },
    );
    const streamOpened = await keyring.openSealedRequest(streamPending.sealedRequest);
    const writer = await ResponseStreamWriter.create({
      request: streamOpened,
      identity,
      backend: 'cpu',
      appVersion: 'bench',
    });
    const reader = await ResponseStreamReader.create(streamPending, writer.header);
    const tokenBatch = new TextEncoder().encode(' the quick brown');
    let chunkFrameBytes = 0;
    const chunk: Case = {
      name: 'streamChunk',
      iterations: 500,
      run: () => {
        const frame = writer.pushTokens(tokenBatch);
        chunkFrameBytes = frame.length;
        reader.pull(frame);
      },
    };

    const receiptBody: ReceiptBody = {
      v: PROTOCOL_VERSION,
      requestId: streamPending.requestId,
      sealedRequestHash: streamPending.sealedRequestHash,
      responseHash: new Uint8Array(32).fill(3),
      providerId: identity.providerId,
      keyId: certificate.keyId,
      model,
      sampling,
      backend: 'cpu',
      appVersion: 'bench',
      startedAt: Date.now(),
      finishedAt: Date.now(),
      tokens: { prompt: 100, completion: 200 },
    };
    const receipt: Case = {
      name: 'receiptSignVerify',
      iterations: 20,
      run: () => {
        verifyReceiptSync(signReceipt(identity, receiptBody), identity.publicKey);
      },
    };

    // The bare libsodium primitive at the same size, to separate protocol overhead from X25519 cost.
    const sodium = await getSodium();
    const recipient = sodium.crypto_box_keypair();
    const raw16KiB = new Uint8Array(16 * 1024);
    const primitive: Case = {
      name: 'primitiveSealOpen16KiB',
      iterations: 20,
      run: () => {
        const sealed = sodium.crypto_box_seal(raw16KiB, recipient.publicKey);
        sodium.crypto_box_seal_open(sealed, recipient.publicKey, recipient.privateKey);
      },
    };

    const timings = await measure([
      sealOpen(1024),
      sealOpen(16 * 1024),
      sealOpen(128 * 1024),
      primitive,
      chunk,
      receipt,
    ]);
    const padding = paddingOverhead();
    const result = {
      bench: 'crypto',
      unit: 'us',
      rounds: ROUNDS,
      sealOpen1KiBUs: timings.sealOpen1KiB,
      sealOpen16KiBUs: timings.sealOpen16KiB,
      sealOpen128KiBUs: timings.sealOpen128KiB,
      primitiveBoxSealOpen16KiBUs: timings.primitiveSealOpen16KiB,
      streamChunkEncryptDecryptUs: timings.streamChunk,
      streamChunkFrameBytes: chunkFrameBytes,
      streamChunkPlaintextBytes: tokenBatch.length,
      streamChunkBlockBytes: STREAM_CHUNK_BLOCK_BYTES,
      receiptSignVerifyUs: timings.receiptSignVerify,
      paddingMeanOverhead: Math.round(padding.mean * 10_000) / 10_000,
      paddingMaxOverhead: Math.round(padding.max * 10_000) / 10_000,
      paddingDistribution: 'uniform log-size 200 B to 128 KiB of inner request',
      paddingPerSizeClass: padding.perSizeClass,
      targets: {
        sealOpen16KiBUnder1ms: (timings.sealOpen16KiB ?? Infinity) <= TARGET_SEAL_OPEN_16K_US,
        streamChunkUnder10us: (timings.streamChunk ?? Infinity) <= TARGET_CHUNK_US,
        meanPaddingUnder12Percent: padding.mean <= TARGET_MEAN_PADDING,
      },
      loadAverage: os.loadavg().map(round2),
    };
    streamOpened.dispose();
    streamPending.dispose();
    writer.dispose();
    process.stdout.write(
      `seal+open 1/16/128 KiB: ${result.sealOpen1KiBUs} / ${result.sealOpen16KiBUs} / ${result.sealOpen128KiBUs} µs; ` +
        `chunk ${result.streamChunkEncryptDecryptUs} µs; receipt ${result.receiptSignVerifyUs} µs; ` +
        `padding mean ${(padding.mean * 100).toFixed(2)}%\n`,
    );
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    keyring.dispose();
    identity.dispose();
    await fs.rm(directory, { recursive: true, force: true });
  }
}

await main();

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { ChatStoreError } from './chatStoreErrors';

export interface DeriveKeyArgon2idOptions {
  /** The passphrase as UTF-8 bytes. Copied into the worker; the caller still owns and wipes its own copy. */
  readonly passphrase: Uint8Array;
  readonly salt: Uint8Array;
  readonly opsLimit: number;
  readonly memLimit: number;
  readonly keyBytes: number;
}

/**
 * The worker body, plain CommonJS so it needs no TypeScript loader and no bundler entry. It loads the sumo build
 * (the standard build has no `crypto_pwhash` even though its types declare it).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const sodium = require(workerData.sodiumPath);
(async () => {
  await sodium.ready;
  const { passphrase, salt, opsLimit, memLimit, keyBytes } = workerData;
  const key = sodium.crypto_pwhash(keyBytes, passphrase, salt, opsLimit, memLimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
  sodium.memzero(passphrase);
  parentPort.postMessage({ key });
})().catch((error) => {
  parentPort.postMessage({ error: String(error && error.message) });
});
`;

/**
 * Argon2id (libsodium `crypto_pwhash`) in a short-lived worker thread. WebAssembly memory only grows, so hashing
 * with a 256 MiB memory limit in-process would pin 256 MiB for the life of the app; measured here, a worker returns
 * the process to its previous RSS once it exits. The main thread also stays responsive during the ~1 s hash.
 */
export async function deriveKeyArgon2id(options: DeriveKeyArgon2idOptions): Promise<Uint8Array> {
  const sodiumPath = createRequire(import.meta.url).resolve('libsodium-wrappers-sumo');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      sodiumPath,
      passphrase: options.passphrase,
      salt: options.salt,
      opsLimit: options.opsLimit,
      memLimit: options.memLimit,
      keyBytes: options.keyBytes,
    },
  });
  try {
    const reply = await new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`worker exited with code ${code}`)));
    });
    if (typeof reply === 'object' && reply !== null && 'key' in reply && reply.key instanceof Uint8Array) {
      return reply.key;
    }
    const reason =
      typeof reply === 'object' && reply !== null && 'error' in reply ? String(reply.error) : 'no key';
    throw new Error(reason);
  } catch (error) {
    throw new ChatStoreError('deriveKeyArgon2id: deriving the chat key from the passphrase failed', {
      cause: error,
    });
  } finally {
    await worker.terminate();
  }
}

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';

/** Bytes read at a time while copying; large reads keep multi-gigabyte copies fast. */
const COPY_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Copies `source` to `destination` (which must not exist) and returns the sha256 of the bytes written, so a copied
 * model is read once instead of once to copy and once to hash. The destination is fsynced before returning.
 */
export async function copyFileWithSha256(
  source: string,
  destination: string,
  signal?: AbortSignal,
): Promise<{ sha256: string; sizeBytes: number }> {
  const hash = createHash('sha256');
  const handle = await fs.open(destination, 'wx', 0o644);
  let sizeBytes = 0;
  try {
    const stream = createReadStream(source, {
      highWaterMark: COPY_CHUNK_BYTES,
      ...(signal === undefined ? {} : { signal }),
    });
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      await handle.write(bytes, 0, bytes.byteLength, sizeBytes);
      hash.update(bytes);
      sizeBytes += bytes.byteLength;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), sizeBytes };
}

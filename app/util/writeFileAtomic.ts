import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Length of the random suffix of temporary file names, in bytes. */
const TEMP_SUFFIX_BYTES = 6;

/**
 * Replaces `filePath` with `data` so that a crash at any moment leaves either the old or the new content, never a
 * mix: write a sibling temp file, fsync it, rename it over the target, then fsync the directory so the rename
 * itself is durable.
 */
export async function writeFileAtomic(filePath: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(filePath);
  const tempPath = path.join(
    dir,
    `.${path.basename(filePath)}.${randomBytes(TEMP_SUFFIX_BYTES).toString('hex')}.tmp`,
  );
  const handle = await fs.open(tempPath, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.rm(tempPath, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await fs.rename(tempPath, filePath);
  } catch (error) {
    await fs.rm(tempPath, { force: true });
    throw error;
  }
  await fsyncDirectory(dir);
}

/** Makes a rename durable. Windows cannot open directories for fsync; there, NTFS journaling is what we get. */
export async function fsyncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

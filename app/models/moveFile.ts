import fs from 'node:fs/promises';
import path from 'node:path';
import { isErrnoException } from '../util/isErrnoException';
import { fsyncDirectory } from '../util/writeFileAtomic';

/**
 * Moves a file with `rename`, falling back to copy + rename + delete when the two paths are on different file
 * systems (`EXDEV`, e.g. a cache directory on another volume). The destination appears whole or not at all.
 */
export async function moveFile(source: string, destination: string): Promise<void> {
  try {
    await fs.rename(source, destination);
  } catch (error) {
    if (!(isErrnoException(error) && error.code === 'EXDEV')) throw error;
    const temp = `${destination}.moving`;
    try {
      await fs.copyFile(source, temp);
      const handle = await fs.open(temp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, destination);
    } catch (copyError) {
      await fs.rm(temp, { force: true });
      throw copyError;
    }
    await fs.rm(source, { force: true });
  }
  await fsyncDirectory(path.dirname(destination));
}

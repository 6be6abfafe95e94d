import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { isErrnoException } from '../util/isErrnoException';
import { fsyncDirectory } from '../util/writeFileAtomic';
import { ChatStoreLockedError } from './chatStoreErrors';

export const LOCK_FILE_NAME = 'store.lock';
const LOCK_FILE_MODE = 0o600;
/** An unreadable lock younger than this may be one another process is still writing, so it counts as held. */
const UNREADABLE_LOCK_GRACE_MS = 10_000;

const lockSchema = z.object({ pid: z.number().int().positive(), hostname: z.string(), token: z.string() });

/**
 * Keeps a second process (the CLI while the app runs, a second app instance) from opening the same store: two
 * writers would append records with clashing sequence numbers and damage the logs. A lock whose process is gone
 * (a crash, `kill -9`) is taken over. Limits: liveness is checked by pid on the same host only, and a recycled pid
 * makes a stale lock look held (the error says which file to delete).
 */
export class ChatStoreLock {
  private released = false;

  private constructor(
    private readonly lockPath: string,
    private readonly token: string,
  ) {}

  public static async acquire(dir: string): Promise<ChatStoreLock> {
    const lockPath = path.join(dir, LOCK_FILE_NAME);
    const token = crypto.randomUUID();
    for (let attempt = 0; ; attempt += 1) {
      try {
        const handle = await fs.open(lockPath, 'wx', LOCK_FILE_MODE);
        try {
          await handle.writeFile(JSON.stringify({ pid: process.pid, hostname: os.hostname(), token }));
          await handle.sync();
        } finally {
          await handle.close();
        }
        await fsyncDirectory(dir);
        return new ChatStoreLock(lockPath, token);
      } catch (error) {
        if (!isErrnoException(error) || error.code !== 'EEXIST' || attempt > 0)
          throw lockError(lockPath, error);
      }
      const holder = await describeHolder(lockPath);
      if (holder !== 'stale') {
        throw new ChatStoreLockedError(
          `openChatStore: the chat store is open in another process (${holder}); close it first. If no such process runs, delete ${lockPath}`,
        );
      }
      await fs.rm(lockPath, { force: true });
    }
  }

  /** Removes the lock if it is still ours. Idempotent. */
  public async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      const parsed = lockSchema.safeParse(JSON.parse(await fs.readFile(this.lockPath, 'utf8')));
      if (parsed.success && parsed.data.token === this.token) await fs.rm(this.lockPath, { force: true });
    } catch {
      // Already gone or replaced: nothing of ours to remove.
    }
  }
}

/** 'stale' when the holder is provably gone, otherwise a description of the holder for the error message. */
async function describeHolder(lockPath: string): Promise<string> {
  let text: string;
  try {
    text = await fs.readFile(lockPath, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return 'stale';
    throw error;
  }
  let parsed: z.infer<typeof lockSchema> | undefined;
  try {
    parsed = lockSchema.parse(JSON.parse(text));
  } catch {
    const { mtimeMs } = await fs.stat(lockPath);
    return Date.now() - mtimeMs > UNREADABLE_LOCK_GRACE_MS ? 'stale' : 'a process is creating the lock';
  }
  if (parsed.hostname !== os.hostname()) return `pid ${parsed.pid} on ${parsed.hostname}`;
  return isProcessAlive(parsed.pid) ? `pid ${parsed.pid}` : 'stale';
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return isErrnoException(error) && error.code === 'EPERM';
  }
}

function lockError(lockPath: string, cause: unknown): ChatStoreLockedError {
  return new ChatStoreLockedError(`openChatStore: cannot create the lock file ${lockPath}`, { cause });
}

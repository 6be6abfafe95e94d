import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatStore } from './ChatStore';
import { ChatStoreLockedError } from './chatStoreErrors';
import { KeyFileChatKeyProvider } from './KeyFileChatKeyProvider';

let root: string;
let dir: string;
let keyFilePath: string;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'veil-chats-lock-'));
  dir = path.join(root, 'chats');
  keyFilePath = path.join(root, 'keys', 'k');
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

function openStore(): Promise<ChatStore> {
  return ChatStore.open({ dir, keyProvider: new KeyFileChatKeyProvider({ keyFilePath }) });
}

async function writeLock(contents: object): Promise<void> {
  await fs.writeFile(path.join(dir, 'store.lock'), JSON.stringify(contents), { mode: 0o600 });
}

/** The pid of a process that has certainly exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  if (child.pid === undefined) throw new Error('spawn failed');
  return child.pid;
}

describe('ChatStore lock', () => {
  it('refuses a second open of the same store until the first is disposed', async () => {
    const first = await openStore();
    await expect(openStore()).rejects.toThrow(ChatStoreLockedError);
    await expect(openStore()).rejects.toThrow(`is open in another process (pid ${process.pid})`);
    await first.dispose();
    await expect(fs.stat(path.join(dir, 'store.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
    const second = await openStore();
    await second.dispose();
  });

  it('takes over the lock of a process that died', async () => {
    await (await openStore()).dispose();
    await writeLock({ pid: await deadPid(), hostname: os.hostname(), token: 'old' });
    const store = await openStore();
    const lock = JSON.parse(await fs.readFile(path.join(dir, 'store.lock'), 'utf8'));
    expect(lock.pid).toBe(process.pid);
    await store.dispose();
  });

  it('respects a lock held by a live process, or by another host', async () => {
    await (await openStore()).dispose();
    await writeLock({ pid: 1, hostname: os.hostname(), token: 'init' });
    await expect(openStore()).rejects.toThrow(/open in another process \(pid 1\).*delete .*store\.lock/);
    await writeLock({ pid: await deadPid(), hostname: 'elsewhere.example', token: 'remote' });
    await expect(openStore()).rejects.toThrow(/pid \d+ on elsewhere\.example/);
  });

  it('releases the lock when opening fails after taking it', async () => {
    await (await openStore()).dispose();
    await fs.writeFile(path.join(dir, `${'ab'.repeat(16)}.vlog`), 'not a log');
    await expect(openStore()).rejects.toThrow(/is damaged/);
    await expect(fs.stat(path.join(dir, 'store.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

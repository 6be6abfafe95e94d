import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { crashTestContent, isStreamedIndex } from '../../test/fixtures/chatStoreCrashWriter';
import { ChatStore } from './ChatStore';
import { getActivePath } from './conversationTree';
import { KeyFileChatKeyProvider } from './KeyFileChatKeyProvider';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const writerScript = path.join(repoRoot, 'test/fixtures/chatStoreCrashWriter.ts');
/** Low, so some kills land during a compaction (tmp file + rename). */
const COMPACT_AFTER_RECORDS = 25;
/** Per round: how many acks to wait for, then how many ms to let the writer run on before SIGKILL. */
const ROUNDS = [
  { acks: 3, extraMs: 0 },
  { acks: 17, extraMs: 7 },
  { acks: 8, extraMs: 2 },
  { acks: 29, extraMs: 13 },
  { acks: 12, extraMs: 1 },
] as const;
const ROUND_TIMEOUT_MS = 30_000;

let root: string;
let dir: string;
let keyFilePath: string;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'veil-chats-crash-'));
  dir = path.join(root, 'chats');
  keyFilePath = path.join(root, 'keys', 'chat-store.key');
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** Runs the writer until it has acknowledged `acks` messages (plus `extraMs`), kills it with SIGKILL, returns acks. */
async function runAndKill(acks: number, extraMs: number): Promise<Map<number, string>> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', writerScript, dir, keyFilePath, String(COMPACT_AFTER_RECORDS)],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const acked = new Map<number, string>();
  let stderr = '';
  let buffered = '';
  let roundAcks = 0;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  const timer = setTimeout(() => child.kill('SIGKILL'), ROUND_TIMEOUT_MS);
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^ack (\d+) ([0-9a-f]{24})$/.exec(line);
      if (match === null) continue;
      acked.set(Number(match[1]), match[2] ?? '');
      roundAcks += 1;
      if (roundAcks === acks) setTimeout(() => child.kill('SIGKILL'), extraMs);
    }
  });
  const signal = await exited;
  clearTimeout(timer);
  expect(stderr).toBe('');
  expect(signal).toBe('SIGKILL');
  expect(roundAcks).toBeGreaterThanOrEqual(acks);
  return acked;
}

describe('ChatStore crash safety', () => {
  it(
    'kill -9 during writes never corrupts the store and loses at most the unacknowledged message',
    { timeout: 240_000 },
    async () => {
      const acked = new Map<number, string>();
      /** Messages written but never acknowledged (killed mid-operation); each may be partial. */
      const unacked = new Set<string>();
      for (const round of ROUNDS) {
        for (const [index, id] of await runAndKill(round.acks, round.extraMs)) acked.set(index, id);

        const store = await ChatStore.open({ dir, keyProvider: new KeyFileChatKeyProvider({ keyFilePath }) });
        try {
          const [summary, ...others] = store.listConversations();
          expect(others).toEqual([]);
          if (summary === undefined) throw new Error('the conversation is missing');
          const activePath = getActivePath(store.getConversation(summary.id));
          const newestAck = Math.max(...acked.keys());
          expect([`crash ${newestAck}`, `crash ${newestAck + 1}`]).toContain(summary.title);
          // Every acknowledged message is there, at its place, byte for byte.
          for (const [index, id] of acked) {
            const message = activePath[index];
            expect(message?.id, `acknowledged message ${index}`).toBe(id);
            expect(message?.content).toBe(crashTestContent(index));
            if (isStreamedIndex(index)) expect(message?.finishReason).toBe('eogToken');
          }
          // Beyond the newest ack there is at most the one message that was being written, possibly partial.
          expect(activePath.length).toBeLessThanOrEqual(newestAck + 2);
          for (const [index, message] of activePath.entries()) {
            if (acked.get(index) === message.id) continue;
            if (index === newestAck + 1) unacked.add(message.id);
            expect(unacked.has(message.id), `message ${index} was neither acknowledged nor in flight`).toBe(
              true,
            );
            expect(crashTestContent(index).startsWith(message.content)).toBe(true);
          }
        } finally {
          await store.dispose();
        }
      }
      expect(acked.size).toBeGreaterThanOrEqual(ROUNDS.reduce((sum, round) => sum + round.acks, 0));
    },
  );
});

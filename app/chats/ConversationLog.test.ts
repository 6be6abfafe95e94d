import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sodium from 'libsodium-wrappers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatCipher } from './ChatCipher';
import type { ChatRecord } from './chatRecordSchema';
import type { Conversation } from './chatSchemas';
import { ChatStoreCorruptError } from './chatStoreErrors';
import type { ConversationLogContext } from './ConversationLog';
import { ConversationLog } from './ConversationLog';

const conversationId = 'c0'.repeat(16);
let dir: string;
let context: ConversationLogContext;

function snapshot(): Conversation {
  return {
    id: conversationId,
    title: 't',
    createdAt: 1,
    updatedAt: 1,
    systemPrompt: '',
    activeLeafId: null,
    messages: [],
  };
}

beforeEach(async () => {
  await sodium.ready;
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'veil-chat-log-'));
  context = {
    dir,
    storeId: sodium.randombytes_buf(16),
    cipher: await ChatCipher.fromMasterKey(sodium.randombytes_buf(32)),
  };
});

afterEach(async () => {
  context.cipher.dispose();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('ConversationLog', () => {
  it('round-trips records in order', async () => {
    const log = await ConversationLog.create(context, conversationId, snapshot());
    await log.append([{ type: 'renamed', at: 2, title: 'a' }]);
    await log.append([
      { type: 'renamed', at: 3, title: 'b' },
      { type: 'renamed', at: 4, title: 'c' },
    ]);
    const { records, tornBytes, log: reread } = await ConversationLog.read(context, conversationId);
    expect(tornBytes).toBe(0);
    expect(reread.recordCount).toBe(4);
    expect(records.map((r) => (r.type === 'renamed' ? r.title : r.type))).toEqual([
      'snapshot',
      'a',
      'b',
      'c',
    ]);
  });

  it('rejects a record of an unknown type with a clear error', async () => {
    const log = await ConversationLog.create(context, conversationId, snapshot());
    await log.append([{ type: 'teleported', at: 2 } as unknown as ChatRecord]);
    await log.append([{ type: 'renamed', at: 3, title: 'later' }]);
    await expect(ConversationLog.read(context, conversationId)).rejects.toThrow(ChatStoreCorruptError);
    await expect(ConversationLog.read(context, conversationId)).rejects.toThrow(
      'record 1 has an unknown type; it may come from a newer version of Veil',
    );
  });

  it('rejects a known record with an invalid field, naming the field', async () => {
    const log = await ConversationLog.create(context, conversationId, snapshot());
    await log.append([{ type: 'renamed', at: 2, title: 42 } as unknown as ChatRecord]);
    await expect(ConversationLog.read(context, conversationId)).rejects.toThrow(
      'record 1 (renamed) has an invalid field "title"',
    );
  });

  it('cannot be read with another key', async () => {
    await ConversationLog.create(context, conversationId, snapshot());
    const other = { ...context, cipher: await ChatCipher.fromMasterKey(sodium.randombytes_buf(32)) };
    try {
      // The only record fails authentication; with nothing valid before it the file is reported, not truncated.
      await expect(ConversationLog.read(other, conversationId)).rejects.toThrow(/has no readable records/);
    } finally {
      other.cipher.dispose();
    }
  });

  it('compaction starts a new generation that old records cannot be spliced into', async () => {
    const log = await ConversationLog.create(context, conversationId, snapshot());
    await log.append([{ type: 'renamed', at: 2, title: 'old' }]);
    const before = new Uint8Array(await fs.readFile(log.filePath));
    await log.compact({ ...snapshot(), title: 'old' });
    expect(log.recordCount).toBe(1);
    await log.append([{ type: 'renamed', at: 3, title: 'new' }]);
    const after = new Uint8Array(await fs.readFile(log.filePath));
    const { records } = await ConversationLog.read(context, conversationId);
    expect(records.at(-1)).toMatchObject({ title: 'new' });

    // Splice the old file's second record in place of the new one: bound to the old generation, it fails.
    const oldRecord = before.subarray(24 + 4 + new DataView(before.buffer).getUint32(24, true));
    const newFirstEnd = 24 + 4 + new DataView(after.buffer).getUint32(24, true);
    await fs.writeFile(
      log.filePath,
      Buffer.concat([after.subarray(0, newFirstEnd), oldRecord, after.subarray(newFirstEnd)]),
    );
    await expect(ConversationLog.read(context, conversationId)).rejects.toThrow(
      /record 1 fails authentication/,
    );
  });
});

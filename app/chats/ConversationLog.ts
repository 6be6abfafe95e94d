import fs from 'node:fs/promises';
import path from 'node:path';
import sodium from 'libsodium-wrappers';
import { isErrnoException } from '../util/isErrnoException';
import { writeFileAtomic } from '../util/writeFileAtomic';
import type { ChatCipher } from './ChatCipher';
import { concatBytes, RECORD_NONCE_BYTES, RECORD_TAG_BYTES } from './ChatCipher';
import type { ChatRecord } from './chatRecordSchema';
import { CHAT_RECORD_TYPES, chatRecordSchema } from './chatRecordSchema';
import type { Conversation } from './chatSchemas';
import { ChatStoreCorruptError, ChatStoreError } from './chatStoreErrors';

/** File name suffix of conversation logs; the stem is the random conversation id. */
export const LOG_FILE_SUFFIX = '.vlog';
/** First bytes of every log: identifies the format and its version. */
const LOG_MAGIC = new TextEncoder().encode('VEILCL01');
/** Random id of one generation of a log file, renewed by compaction; bound into every record's AAD. */
const GENERATION_BYTES = 16;
const LOG_HEADER_BYTES = LOG_MAGIC.length + GENERATION_BYTES;
/** Each record is prefixed with its length as a little-endian uint32. */
const LENGTH_PREFIX_BYTES = 4;
/** A sealed record holds at least a nonce, a tag and two bytes of JSON. */
const MIN_SEALED_BYTES = RECORD_NONCE_BYTES + RECORD_TAG_BYTES + 2;
/** Largest sealed record accepted (a snapshot of a very long conversation). */
const MAX_SEALED_BYTES = 256 * 1024 * 1024;
const AAD_LABEL = new TextEncoder().encode('veil chat record v1');
const CONVERSATION_ID_BYTES = 16;
const SEQUENCE_BYTES = 8;

/** What every log of one store shares. */
export interface ConversationLogContext {
  readonly dir: string;
  readonly storeId: Uint8Array;
  readonly cipher: ChatCipher;
}

/** A log read back from disk: the log, its records in order, and the length of a torn final record (0 if none). */
export interface ReadConversationLog {
  readonly log: ConversationLog;
  readonly records: ChatRecord[];
  readonly tornBytes: number;
}

/**
 * One conversation's append-only file: `magic ‖ generation ‖ (u32 length ‖ nonce ‖ ciphertext)*`. The AAD of record
 * `n` is `label ‖ storeId ‖ conversationId ‖ generation ‖ n`, so a record cannot be moved to another store, file,
 * file generation or position. New files and compactions are written whole with tmp + fsync + rename; appends are
 * one write plus fdatasync, so a crash can only tear the final record, which the next open cuts away.
 */
export class ConversationLog {
  private broken = false;

  private constructor(
    private readonly context: ConversationLogContext,
    public readonly conversationId: string,
    private generation: Uint8Array,
    private nextSequence: number,
    private byteLength: number,
  ) {}

  public get filePath(): string {
    return logFilePath(this.context.dir, this.conversationId);
  }

  /** Records in the file; compaction resets it to 1. */
  public get recordCount(): number {
    return this.nextSequence;
  }

  /** Writes a new log whose only record is `snapshot`. Never replaces an existing file. */
  public static async create(
    context: ConversationLogContext,
    conversationId: string,
    snapshot: Conversation,
  ): Promise<ConversationLog> {
    const log = new ConversationLog(context, conversationId, sodium.randombytes_buf(GENERATION_BYTES), 0, 0);
    try {
      await fs.access(log.filePath);
      throw new ChatStoreError(`createConversation: conversation ${conversationId} already exists`);
    } catch (error) {
      if (!isErrnoException(error) || error.code !== 'ENOENT') throw error;
    }
    await log.writeWhole({ type: 'snapshot', conversation: snapshot });
    return log;
  }

  /**
   * Reads and authenticates every record, writing nothing. A torn final record (cut short, or failing authentication
   * as the very last bytes of the file) is reported in `tornBytes`; any other failure throws `ChatStoreCorruptError`.
   */
  public static async read(
    context: ConversationLogContext,
    conversationId: string,
  ): Promise<ReadConversationLog> {
    const filePath = logFilePath(context.dir, conversationId);
    const bytes = new Uint8Array(await fs.readFile(filePath));
    const corrupt = (detail: string): ChatStoreCorruptError =>
      new ChatStoreCorruptError(
        `openChatStore: conversation ${conversationId} is damaged (${detail}); nothing was changed`,
      );
    if (bytes.length < LOG_HEADER_BYTES || !sodium.memcmp(bytes.subarray(0, LOG_MAGIC.length), LOG_MAGIC)) {
      throw corrupt('not a Veil conversation log, or an unsupported version');
    }
    const generation = bytes.slice(LOG_MAGIC.length, LOG_HEADER_BYTES);
    const log = new ConversationLog(context, conversationId, generation, 0, LOG_HEADER_BYTES);
    const records: ChatRecord[] = [];
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = LOG_HEADER_BYTES;
    let tornAt: number | undefined;
    while (offset < bytes.length) {
      const remaining = bytes.length - offset;
      if (remaining < LENGTH_PREFIX_BYTES) {
        tornAt = offset;
        break;
      }
      const sealedLength = view.getUint32(offset, true);
      if (sealedLength < MIN_SEALED_BYTES || sealedLength > MAX_SEALED_BYTES) {
        // A crash after the file grew but before its data landed leaves zeros; anything else is damage.
        if (isAllZero(bytes.subarray(offset))) {
          tornAt = offset;
          break;
        }
        throw corrupt(`record ${records.length} has an impossible length`);
      }
      const end = offset + LENGTH_PREFIX_BYTES + sealedLength;
      if (end > bytes.length) {
        tornAt = offset;
        break;
      }
      const plaintext = context.cipher.open(
        bytes.subarray(offset + LENGTH_PREFIX_BYTES, end),
        log.additionalData(records.length),
      );
      if (plaintext === undefined) {
        if (end === bytes.length) {
          tornAt = offset;
          break;
        }
        throw corrupt(`record ${records.length} fails authentication`);
      }
      records.push(decodeRecord(plaintext, records.length, corrupt));
      offset = end;
    }
    if (records.length === 0) throw corrupt('it has no readable records');
    if (records[0]?.type !== 'snapshot') throw corrupt('it does not start with a snapshot');
    log.nextSequence = records.length;
    log.byteLength = offset;
    return { log, records, tornBytes: tornAt === undefined ? 0 : bytes.length - tornAt };
  }

  /**
   * Cuts the torn final record found by `read` off the file. Separate from `read` so the store can first check every
   * conversation and change nothing at all when one of them is damaged.
   */
  public async cutTornTail(): Promise<void> {
    const handle = await fs.open(this.filePath, 'r+');
    try {
      const { size } = await handle.stat();
      if (size > this.byteLength) {
        await handle.truncate(this.byteLength);
        await handle.sync();
      }
    } finally {
      await handle.close();
    }
  }

  /** Appends records with one write and one fdatasync. On failure the file is cut back, so no partial tail remains. */
  public async append(records: readonly ChatRecord[]): Promise<void> {
    if (this.broken) {
      throw new ChatStoreError(
        `writeConversation: conversation ${this.conversationId} could not be cleaned up after a failed write; reopen the chat store`,
      );
    }
    const frames = records.map((record, index) => this.frame(record, this.nextSequence + index));
    const data = concatBytes(...frames);
    const handle = await fs.open(this.filePath, 'r+');
    try {
      try {
        await writeAll(handle, data, this.byteLength);
        await handle.datasync();
      } catch (error) {
        try {
          await handle.truncate(this.byteLength);
        } catch {
          // Leftover bytes would sit between this record and the next one; the reader's tail repair handles them
          // only while they stay last, so stop appending until a reopen has repaired the file.
          this.broken = true;
        }
        throw error;
      }
    } finally {
      await handle.close();
    }
    this.nextSequence += records.length;
    this.byteLength += data.length;
  }

  /** Compaction: replaces the file with a new generation holding one snapshot, atomically. */
  public async compact(snapshot: Conversation): Promise<void> {
    const previous = {
      generation: this.generation,
      nextSequence: this.nextSequence,
      byteLength: this.byteLength,
    };
    this.generation = sodium.randombytes_buf(GENERATION_BYTES);
    this.nextSequence = 0;
    try {
      await this.writeWhole({ type: 'snapshot', conversation: snapshot });
    } catch (error) {
      // The rename may have happened before the failure (e.g. in the directory fsync): follow what is on disk.
      if (await this.fileHasGeneration(this.generation)) {
        this.nextSequence = 1;
        this.byteLength = (await fs.stat(this.filePath)).size;
      } else {
        this.generation = previous.generation;
        this.nextSequence = previous.nextSequence;
        this.byteLength = previous.byteLength;
      }
      throw error;
    }
  }

  private async fileHasGeneration(generation: Uint8Array): Promise<boolean> {
    const handle = await fs.open(this.filePath, 'r');
    try {
      const header = new Uint8Array(LOG_HEADER_BYTES);
      const { bytesRead } = await handle.read(header, 0, LOG_HEADER_BYTES, 0);
      return bytesRead === LOG_HEADER_BYTES && sodium.memcmp(header.subarray(LOG_MAGIC.length), generation);
    } finally {
      await handle.close();
    }
  }

  private async writeWhole(snapshot: ChatRecord): Promise<void> {
    const data = concatBytes(LOG_MAGIC, this.generation, this.frame(snapshot, 0));
    await writeFileAtomic(this.filePath, data);
    this.nextSequence = 1;
    this.byteLength = data.length;
  }

  private frame(record: ChatRecord, sequence: number): Uint8Array {
    const plaintext = new TextEncoder().encode(JSON.stringify(record));
    try {
      // Never write a record that `read` would reject as impossibly long.
      if (plaintext.length + RECORD_NONCE_BYTES + RECORD_TAG_BYTES > MAX_SEALED_BYTES) {
        throw new ChatStoreError(
          `writeConversation: a ${record.type} record of conversation ${this.conversationId} exceeds ${MAX_SEALED_BYTES} bytes`,
        );
      }
      const sealed = this.context.cipher.seal(plaintext, this.additionalData(sequence));
      const frame = new Uint8Array(LENGTH_PREFIX_BYTES + sealed.length);
      new DataView(frame.buffer).setUint32(0, sealed.length, true);
      frame.set(sealed, LENGTH_PREFIX_BYTES);
      return frame;
    } finally {
      sodium.memzero(plaintext);
    }
  }

  private additionalData(sequence: number): Uint8Array {
    const sequenceBytes = new Uint8Array(SEQUENCE_BYTES);
    new DataView(sequenceBytes.buffer).setBigUint64(0, BigInt(sequence), true);
    return concatBytes(
      AAD_LABEL,
      this.context.storeId,
      sodium.from_hex(this.conversationId).subarray(0, CONVERSATION_ID_BYTES),
      this.generation,
      sequenceBytes,
    );
  }
}

export function logFilePath(dir: string, conversationId: string): string {
  return path.join(dir, `${conversationId}${LOG_FILE_SUFFIX}`);
}

function decodeRecord(
  plaintext: Uint8Array,
  index: number,
  corrupt: (detail: string) => ChatStoreCorruptError,
): ChatRecord {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch {
    throw corrupt(`record ${index} is not valid JSON`);
  } finally {
    sodium.memzero(plaintext);
  }
  const parsed = chatRecordSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const type = typeof value === 'object' && value !== null && 'type' in value ? value.type : undefined;
  if (typeof type !== 'string' || !(CHAT_RECORD_TYPES as readonly string[]).includes(type)) {
    throw corrupt(`record ${index} has an unknown type; it may come from a newer version of Veil`);
  }
  const issue = parsed.error.issues[0];
  throw corrupt(`record ${index} (${type}) has an invalid field "${issue?.path.join('.') ?? ''}"`);
}

function isAllZero(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte !== 0) return false;
  return true;
}

async function writeAll(handle: fs.FileHandle, data: Uint8Array, position: number): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const { bytesWritten } = await handle.write(data, written, data.length - written, position + written);
    written += bytesWritten;
  }
}

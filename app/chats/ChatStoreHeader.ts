import fs from 'node:fs/promises';
import path from 'node:path';
import sodium from 'libsodium-wrappers';
import { z } from 'zod';
import { isErrnoException } from '../util/isErrnoException';
import { writeFileAtomic } from '../util/writeFileAtomic';
import type { Argon2idParams, ChatKeyKind } from './ChatKeyProvider';
import { ChatStoreCorruptError } from './chatStoreErrors';

/** Name of the plaintext header file inside the store directory. */
export const HEADER_FILE_NAME = 'store.json';
export const CHAT_STORE_FORMAT = 'veil-chat-store';
export const CHAT_STORE_VERSION = 1;
export const STORE_ID_BYTES = 16;

const base64 = z.string().regex(/^[A-Za-z0-9_-]*$/, 'expected unpadded base64url');

const headerSchema = z.strictObject({
  format: z.literal(CHAT_STORE_FORMAT),
  version: z.number().int().min(1),
  storeId: base64,
  createdAt: z.number().int().min(0),
  key: z.strictObject({
    kind: z.enum(['keyFile', 'passphrase', 'safeStorage']),
    kdf: z
      .strictObject({
        algorithm: z.literal('argon2id13'),
        salt: base64,
        opsLimit: z.number().int().min(1),
        memLimit: z.number().int().min(1),
      })
      .optional(),
  }),
  keyCheck: base64,
});

/**
 * The store's only plaintext file. It holds no user data: the format version, a random store id (bound into every
 * record), how the key is kept, Argon2id salt and limits for passphrase stores, and a keyed BLAKE2b key check value.
 */
export interface ChatStoreHeader {
  readonly version: number;
  readonly storeId: Uint8Array;
  readonly createdAt: number;
  readonly keyKind: ChatKeyKind;
  readonly kdf?: Argon2idParams;
  readonly keyCheck: Uint8Array;
}

/** The header, or undefined when the store has none yet. Throws `ChatStoreCorruptError` for an unusable one. */
export async function readChatStoreHeader(dir: string): Promise<ChatStoreHeader | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, HEADER_FILE_NAME), 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ChatStoreCorruptError(
      `openChatStore: ${HEADER_FILE_NAME} is not valid JSON; nothing was changed`,
      {
        cause: error,
      },
    );
  }
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ChatStoreCorruptError(
      `openChatStore: ${HEADER_FILE_NAME} has an invalid field "${issue?.path.join('.') ?? ''}"; nothing was changed`,
    );
  }
  const header = parsed.data;
  if (header.version > CHAT_STORE_VERSION) {
    throw new ChatStoreCorruptError(
      `openChatStore: the chat store has format version ${header.version}, newer than this Veil supports (${CHAT_STORE_VERSION}); nothing was changed`,
    );
  }
  if ((header.key.kind === 'passphrase') !== (header.key.kdf !== undefined)) {
    throw new ChatStoreCorruptError(
      `openChatStore: ${HEADER_FILE_NAME} has inconsistent key settings; nothing was changed`,
    );
  }
  const storeId = fromBase64(header.storeId);
  if (storeId.length !== STORE_ID_BYTES) {
    throw new ChatStoreCorruptError(
      `openChatStore: ${HEADER_FILE_NAME} has an invalid store id; nothing was changed`,
    );
  }
  const kdf = header.key.kdf;
  return {
    version: header.version,
    storeId,
    createdAt: header.createdAt,
    keyKind: header.key.kind,
    ...(kdf === undefined
      ? {}
      : {
          kdf: {
            algorithm: kdf.algorithm,
            salt: fromBase64(kdf.salt),
            opsLimit: kdf.opsLimit,
            memLimit: kdf.memLimit,
          },
        }),
    keyCheck: fromBase64(header.keyCheck),
  };
}

/** Writes a new store's header atomically (0600). */
export async function writeChatStoreHeader(dir: string, header: ChatStoreHeader): Promise<void> {
  const json = {
    format: CHAT_STORE_FORMAT,
    version: header.version,
    storeId: sodium.to_base64(header.storeId),
    createdAt: header.createdAt,
    key: {
      kind: header.keyKind,
      ...(header.kdf === undefined
        ? {}
        : {
            kdf: {
              algorithm: header.kdf.algorithm,
              salt: sodium.to_base64(header.kdf.salt),
              opsLimit: header.kdf.opsLimit,
              memLimit: header.kdf.memLimit,
            },
          }),
    },
    keyCheck: sodium.to_base64(header.keyCheck),
  } satisfies z.input<typeof headerSchema>;
  await writeFileAtomic(path.join(dir, HEADER_FILE_NAME), `${JSON.stringify(json, null, 2)}\n`);
}

function fromBase64(value: string): Uint8Array {
  try {
    return sodium.from_base64(value);
  } catch (error) {
    throw new ChatStoreCorruptError(
      `openChatStore: ${HEADER_FILE_NAME} holds invalid base64; nothing was changed`,
      {
        cause: error,
      },
    );
  }
}

import { z } from 'zod';
import { MAX_CHUNK_TEXT_BYTES, MAX_ERROR_MESSAGE_CHARS, MAX_SIGNED_OBJECT_BYTES, MAX_STREAM_CHUNKS } from './constants';
import { bytesUpTo } from './schemas';

/** Errors a provider reports inside the encrypted stream (the coordinator never sees them). */
export const PROVIDER_ERROR_CODES = [
  'MODEL_UNAVAILABLE',
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'OVERLOADED',
  'CANCELLED',
  'TIMEOUT',
  'GENERATION_FAILED',
] as const;
export type ProviderErrorCode = (typeof PROVIDER_ERROR_CODES)[number];

const seqSchema = z.number().int().min(0).max(MAX_STREAM_CHUNKS);

/** Plaintext of one response chunk before padding (docs/PROTOCOL.md §6.2). */
export const streamChunkSchema = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('tokens'), seq: seqSchema, text: bytesUpTo(MAX_CHUNK_TEXT_BYTES) }),
  z.strictObject({
    t: z.literal('error'),
    seq: seqSchema,
    code: z.enum(PROVIDER_ERROR_CODES),
    message: z.string().max(MAX_ERROR_MESSAGE_CHARS),
  }),
  z.strictObject({ t: z.literal('final'), seq: seqSchema, receipt: bytesUpTo(MAX_SIGNED_OBJECT_BYTES) }),
]);
export type StreamChunk = z.infer<typeof streamChunkSchema>;

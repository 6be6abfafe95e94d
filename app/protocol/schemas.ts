import { z } from 'zod';
import { MODEL_SHA256_BYTES } from '../crypto/constants';
import { MAX_REQUEST_BUCKET_BYTES, PROTOCOL_VERSION } from './constants';
import { ProtocolError } from './ProtocolError';

/** A byte string of exactly `length` bytes (CBOR major type 2 decodes to Uint8Array). */
export function bytesOf(length: number) {
  return z.custom<Uint8Array>((value) => value instanceof Uint8Array && value.length === length, {
    message: `must be ${length} bytes`,
  });
}

/** A byte string of at most `max` bytes. */
export function bytesUpTo(max: number) {
  return z.custom<Uint8Array>((value) => value instanceof Uint8Array && value.length <= max, {
    message: `must be at most ${max} bytes`,
  });
}

/** Milliseconds since the Unix epoch. */
export const timestampSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** A model as the requester asked for it and the provider serves it: a catalog id plus the GGUF file's SHA-256. */
export const modelRefSchema = z.strictObject({
  id: z.string().min(1).max(256),
  sha256: bytesOf(MODEL_SHA256_BYTES),
});
export type ModelRef = z.infer<typeof modelRefSchema>;

/** Sampling parameters, all explicit so a receipt states exactly what was run. */
export const samplingSchema = z.strictObject({
  temperature: z.number().min(0).max(2),
  topP: z.number().min(0).max(1),
  topK: z.number().int().min(0).max(1000),
  maxTokens: z.number().int().min(1).max(131_072),
  seed: z.number().int().min(0).max(0xffff_ffff),
});
export type SamplingParams = z.infer<typeof samplingSchema>;

/** One chat turn inside a sealed request. */
export const chatMessageSchema = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string().max(MAX_REQUEST_BUCKET_BYTES),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/** Short free-text labels (backend, app version). */
export const labelSchema = z.string().min(1).max(64);

/** Token counts of one job. */
export const tokenCountsSchema = z.strictObject({
  prompt: z.number().int().min(0).max(10_000_000),
  completion: z.number().int().min(0).max(10_000_000),
});
export type TokenCounts = z.infer<typeof tokenCountsSchema>;

/**
 * Checks the version field before anything else, so a peer speaking another version gets `BAD_VERSION` rather than a
 * confusing schema error.
 */
export function assertVersion(value: unknown, operation: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('MALFORMED', `${operation}: expected a map`);
  }
  const version = (value as Record<string, unknown>).v;
  if (version !== PROTOCOL_VERSION) {
    throw new ProtocolError(
      'BAD_VERSION',
      `${operation}: unsupported version ${typeof version === 'number' ? version : typeof version}`,
    );
  }
}

/**
 * Validates with `schema`; failures become `MALFORMED` naming only the offending field paths (zod messages can echo
 * received values, which may be plaintext).
 */
export function parseWithSchema<T extends z.ZodType>(
  schema: T,
  value: unknown,
  operation: string,
): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const paths = result.error.issues
      .slice(0, 5)
      .map((issue) => (issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.')))
      .join(', ');
    throw new ProtocolError('MALFORMED', `${operation}: invalid field(s) ${paths}`);
  }
  return result.data;
}

import { z } from 'zod';
import { REQUEST_ID_BYTES, RESPONSE_KEY_BYTES } from '../crypto/constants';
import { PROTOCOL_VERSION } from './constants';
import { SEALED_REQUEST_HEADER_BYTES } from './SealedRequestHeader';
import {
  bytesOf,
  bytesUpTo,
  chatMessageSchema,
  modelRefSchema,
  samplingSchema,
  timestampSchema,
} from './schemas';

/** Largest opaque authorization token (e.g. an anonymous credential) inside a request. */
export const MAX_AUTHORIZATION_BYTES = 4096;
/** Most chat messages in one request. */
export const MAX_MESSAGES = 1024;

/** The sealed inner request, canonical CBOR before padding (docs/PROTOCOL.md §5.2). */
export const innerRequestSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  header: bytesOf(SEALED_REQUEST_HEADER_BYTES),
  requestId: bytesOf(REQUEST_ID_BYTES),
  expiresAt: timestampSchema,
  model: modelRefSchema,
  messages: z.array(chatMessageSchema).min(1).max(MAX_MESSAGES),
  sampling: samplingSchema,
  responseKey: bytesOf(RESPONSE_KEY_BYTES),
  authorization: bytesUpTo(MAX_AUTHORIZATION_BYTES).optional(),
});
export type InnerRequest = z.infer<typeof innerRequestSchema>;

import { z } from 'zod';
import { MAX_SIGNED_OBJECT_BYTES, MAX_STREAM_FRAME_BYTES } from '../constants';
import { PROTOCOL_ERROR_CODES } from '../ProtocolError';
import { MAX_SEALED_REQUEST_BYTES } from '../SealedRequestHeader';
import {
  base64UrlBytes,
  frameSeqField,
  jobIdField,
  providerIdField,
  shortTextField,
  versionField,
} from './controlFields';

/** Provider → coordinator messages (docs/PROTOCOL.md §8.2). */
export const providerToCoordinatorSchema = z.discriminatedUnion('type', [
  z.strictObject({
    v: versionField,
    type: z.literal('provider.hello'),
    certificate: base64UrlBytes(MAX_SIGNED_OBJECT_BYTES),
    appVersion: z.string().min(1).max(64),
    maxConcurrentJobs: z.number().int().min(1).max(64),
  }),
  z.strictObject({
    v: versionField,
    type: z.literal('provider.key'),
    certificate: base64UrlBytes(MAX_SIGNED_OBJECT_BYTES),
  }),
  z.strictObject({
    v: versionField,
    type: z.literal('provider.heartbeat'),
    status: z.enum(['idle', 'busy', 'paused']),
    activeJobs: z.number().int().min(0).max(64),
  }),
  z.strictObject({ v: versionField, type: z.literal('provider.accepted'), jobId: jobIdField }),
  z.strictObject({
    v: versionField,
    type: z.literal('provider.rejected'),
    jobId: jobIdField,
    code: z.enum(PROTOCOL_ERROR_CODES),
  }),
  z.strictObject({
    v: versionField,
    type: z.literal('provider.frame'),
    jobId: jobIdField,
    seq: frameSeqField,
    data: base64UrlBytes(MAX_STREAM_FRAME_BYTES),
  }),
  z.strictObject({
    v: versionField,
    type: z.literal('provider.end'),
    jobId: jobIdField,
    frames: frameSeqField,
    usageRecord: base64UrlBytes(MAX_SIGNED_OBJECT_BYTES).optional(),
  }),
]);
export type ProviderToCoordinatorMessage = z.infer<typeof providerToCoordinatorSchema>;

/** Coordinator → provider messages (docs/PROTOCOL.md §8.2). */
export const coordinatorToProviderSchema = z.discriminatedUnion('type', [
  z.strictObject({
    v: versionField,
    type: z.literal('coordinator.welcome'),
    providerId: providerIdField,
    heartbeatIntervalMs: z.number().int().min(1000).max(300_000),
  }),
  z.strictObject({
    v: versionField,
    type: z.literal('coordinator.job'),
    jobId: jobIdField,
    sealedRequest: base64UrlBytes(MAX_SEALED_REQUEST_BYTES),
  }),
  z.strictObject({ v: versionField, type: z.literal('coordinator.cancel'), jobId: jobIdField }),
  z.strictObject({
    v: versionField,
    type: z.literal('coordinator.error'),
    code: z.enum([
      'BAD_MESSAGE',
      'TOO_LARGE',
      'BAD_CERTIFICATE',
      'DUPLICATE_PROVIDER',
      'RATE_LIMITED',
      'INTERNAL',
    ]),
    message: shortTextField,
  }),
]);
export type CoordinatorToProviderMessage = z.infer<typeof coordinatorToProviderSchema>;

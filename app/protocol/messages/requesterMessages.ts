import { z } from 'zod';
import { MAX_SIGNED_OBJECT_BYTES, MAX_STREAM_FRAME_BYTES } from '../constants';
import { MAX_SEALED_REQUEST_BYTES } from '../SealedRequestHeader';
import {
  base64UrlBytes,
  frameSeqField,
  jobIdField,
  modelField,
  providerIdField,
  shortTextField,
  versionField,
} from './controlFields';

/** A requester's own correlation id for a submission (not sent to providers). */
const clientRefField = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** Requester → coordinator messages (docs/PROTOCOL.md §8.3). */
export const requesterToCoordinatorSchema = z.discriminatedUnion('type', [
  z.strictObject({
    v: versionField,
    type: z.literal('requester.list_providers'),
    modelId: z.string().min(1).max(256).optional(),
  }),
  z.strictObject({
    v: versionField,
    type: z.literal('requester.submit'),
    clientRef: clientRefField,
    sealedRequest: base64UrlBytes(MAX_SEALED_REQUEST_BYTES),
  }),
  z.strictObject({ v: versionField, type: z.literal('requester.cancel'), jobId: jobIdField }),
]);
export type RequesterToCoordinatorMessage = z.infer<typeof requesterToCoordinatorSchema>;

/** Errors the coordinator reports to requesters (it never sees the provider's in-stream errors). */
export const COORDINATOR_ERROR_CODES = [
  'BAD_MESSAGE',
  'TOO_LARGE',
  'NO_PROVIDER',
  'PROVIDER_GONE',
  'REJECTED_BY_PROVIDER',
  'DUPLICATE_REQUEST',
  'RATE_LIMITED',
  'UNAUTHORIZED',
  'INTERNAL',
] as const;

/** Coordinator → requester messages (docs/PROTOCOL.md §8.3). */
export const coordinatorToRequesterSchema = z.discriminatedUnion('type', [
  z.strictObject({
    v: versionField,
    type: z.literal('coordinator.providers'),
    providers: z
      .array(
        z.strictObject({
          providerId: providerIdField,
          certificate: base64UrlBytes(MAX_SIGNED_OBJECT_BYTES),
          models: z.array(modelField).max(64),
          status: z.enum(['idle', 'busy', 'paused']),
        }),
      )
      .max(1000),
  }),
  z.strictObject({
    v: versionField,
    type: z.literal('coordinator.accepted'),
    clientRef: clientRefField,
    jobId: jobIdField,
  }),
  z.strictObject({
    v: versionField,
    type: z.literal('coordinator.frame'),
    jobId: jobIdField,
    seq: frameSeqField,
    data: base64UrlBytes(MAX_STREAM_FRAME_BYTES),
  }),
  z.strictObject({
    v: versionField,
    type: z.literal('coordinator.end'),
    jobId: jobIdField,
    frames: frameSeqField,
  }),
  z.strictObject({
    v: versionField,
    type: z.literal('coordinator.error'),
    jobId: jobIdField.optional(),
    clientRef: clientRefField.optional(),
    code: z.enum(COORDINATOR_ERROR_CODES),
    message: shortTextField,
  }),
]);
export type CoordinatorToRequesterMessage = z.infer<typeof coordinatorToRequesterSchema>;

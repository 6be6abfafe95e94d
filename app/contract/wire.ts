import { z } from 'zod';
import { ErrorInfo } from './dto';
import { VeilEvent } from './veilContract';

// Frames of the WebSocket transport (`veil serve`). Electron IPC carries the same call/result pairs natively.

/** Largest frame either side accepts, in bytes: an imported conversation is the biggest legitimate payload. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export const CallFrame = z.strictObject({
  type: z.literal('call'),
  id: z.number().int().nonnegative(),
  method: z.string().min(1).max(100),
  input: z.unknown().optional(),
});
export type CallFrame = z.infer<typeof CallFrame>;

export const ResultFrame = z.discriminatedUnion('ok', [
  z.strictObject({
    type: z.literal('result'),
    id: z.number().int().nonnegative(),
    ok: z.literal(true),
    value: z.unknown(),
  }),
  z.strictObject({
    type: z.literal('result'),
    id: z.number().int().nonnegative(),
    ok: z.literal(false),
    error: ErrorInfo,
  }),
]);
export type ResultFrame = z.infer<typeof ResultFrame>;

export const EventFrame = z.strictObject({ type: z.literal('event'), event: VeilEvent });
export type EventFrame = z.infer<typeof EventFrame>;

export const ServerFrame = z.union([ResultFrame, EventFrame]);
export type ServerFrame = z.infer<typeof ServerFrame>;

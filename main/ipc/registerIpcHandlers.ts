import type { z } from 'zod';
import { describeZodIssues } from '../../app/errors/describeZodIssues';
import { toErrorInfo } from '../../app/service/dispatchCall';
import { channelForMethod } from './channels';
import { IpcArgumentError, IpcSenderRejectedError } from './ipcErrors';
import type { IpcResult } from './IpcResult';

// Type imports only: this module must load without the Electron binary, so the unit tests can hand it fakes.
// main/index.ts passes Electron's real `ipcMain`, which the compiler checks against these shapes.

/** The frame an IPC call came from; Electron's `WebFrameMain` has this shape. */
export interface IpcSenderFrame {
  readonly url: string;
}

/** The part of Electron's `IpcMainInvokeEvent` the handlers read. */
export interface IpcInvokeEventLike {
  readonly senderFrame: IpcSenderFrame | null;
}

/** The part of Electron's `ipcMain` the handlers use. */
export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<IpcResult>,
  ): void;
  removeHandler(channel: string): void;
}

/** One method: the schema its argument must pass, and the core function it reaches. */
export interface IpcMethodHandler<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  handler(input: z.output<S>): Promise<unknown>;
}

/**
 * Every method the window may call, by name (the channel is `veil:<name>`). For the UI contract this is
 * `veilIpcHandlers(core)` from app/service/dispatchCall.ts.
 */
export type IpcHandlerMap = Readonly<Record<string, IpcMethodHandler>>;

export interface IpcHandlerDependencies {
  readonly ipcMain: IpcMainLike;
  /** The Veil window's top frame, or `undefined` while there is no window: calls from any other frame are refused. */
  getTrustedFrame(): IpcSenderFrame | undefined;
  /** Whether a URL is the app's own page (the packaged renderer, or the dev server during development). */
  isAppUrl(url: string): boolean;
}

/** Handle on the registered channels. */
export interface IpcHandlerRegistration {
  /** Removes every channel this registration added. Idempotent. */
  dispose(): void;
}

/** Pairs a schema with its handler so the handler's input type is inferred from the schema. */
export function defineIpcMethod<S extends z.ZodType>(
  schema: S,
  handler: (input: z.output<S>) => Promise<unknown>,
): IpcMethodHandler<S> {
  return { schema, handler };
}

/**
 * Registers one `ipcMain.handle` channel per method. Each call is answered with an {@link IpcResult}:
 * - refused unless it comes from the trusted window's top frame showing an app URL (`IpcSenderRejectedError`);
 * - refused unless it carries at most one argument and that argument passes the method's schema (`IpcArgumentError`);
 * - otherwise the handler's value, or whatever it threw reduced to `{name, message}`.
 */
export function registerIpcHandlers(
  dependencies: IpcHandlerDependencies,
  handlers: IpcHandlerMap,
): IpcHandlerRegistration {
  const channels: string[] = [];
  for (const [method, methodHandler] of Object.entries(handlers)) {
    const channel = channelForMethod(method);
    dependencies.ipcMain.handle(channel, async (event, ...args) => {
      try {
        assertTrustedSender(dependencies, event, method);
        const input = parseArgument(methodHandler.schema, args, method);
        return { ok: true, value: await methodHandler.handler(input) };
      } catch (error) {
        return { ok: false, error: toErrorInfo(error, method) };
      }
    });
    channels.push(channel);
  }

  let disposed = false;
  return {
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const channel of channels) dependencies.ipcMain.removeHandler(channel);
    },
  };
}

function assertTrustedSender(
  dependencies: IpcHandlerDependencies,
  event: IpcInvokeEventLike,
  method: string,
): void {
  const frame = event.senderFrame;
  // senderFrame is null once the frame navigated away or was destroyed: there is no one left to trust.
  if (frame === null) throw new IpcSenderRejectedError(`${method}: the calling frame is gone`);
  const trusted = dependencies.getTrustedFrame();
  if (trusted === undefined || frame !== trusted) {
    throw new IpcSenderRejectedError(`${method}: refused a call from a frame that is not the Veil window`);
  }
  if (!dependencies.isAppUrl(frame.url)) {
    throw new IpcSenderRejectedError(`${method}: refused a call from a page that is not Veil's`);
  }
}

function parseArgument(schema: z.ZodType, args: readonly unknown[], method: string): unknown {
  if (args.length > 1) {
    throw new IpcArgumentError(`${method}: expected at most one argument, got ${args.length}`);
  }
  const result = schema.safeParse(args[0]);
  if (result.success) return result.data;
  throw new IpcArgumentError(`${method}: invalid argument: ${describeZodIssues(result.error)}`);
}

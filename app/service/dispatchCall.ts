import type { z } from 'zod';
import type { ErrorInfo } from '../contract/dto';
import { RemoteError } from '../contract/VeilClient';
import { isVeilMethod, veilContract, type VeilApi, type VeilMethod } from '../contract/veilContract';
import { describeZodIssues } from '../errors/describeZodIssues';
import { ContractViolationError, InvalidArgumentError, UnknownMethodError } from './serviceErrors';

/** What one call produces, on any transport: the value, or the error reduced to `{name, message}`. */
export type CallOutcome = { ok: true; value: unknown } | { ok: false; error: ErrorInfo };

/** Longest error name and message that cross a transport; the contract's `ErrorInfo` bounds. */
const MAX_ERROR_NAME_LENGTH = 200;
const MAX_ERROR_MESSAGE_LENGTH = 4000;
/** Method names are echoed in errors only when they look like one, so arbitrary caller text is never reflected. */
const METHOD_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9.]{0,99}$/;

/**
 * Runs one contract call from an untrusted transport: checks the method name, validates the argument with the
 * contract's input schema, calls the service, checks the result against the output schema (so nothing beyond the
 * contract's DTOs ever reaches a UI) and reduces any error to `{name, message}` without a stack or cause.
 */
export async function dispatchCall(api: VeilApi, method: unknown, input: unknown): Promise<CallOutcome> {
  if (typeof method !== 'string' || !isVeilMethod(method)) {
    const shown = typeof method === 'string' && METHOD_NAME_PATTERN.test(method) ? ` "${method}"` : '';
    return failure(new UnknownMethodError(`dispatch: unknown method${shown}`));
  }
  const parsed = veilContract[method].input.safeParse(input);
  if (!parsed.success) {
    return failure(new InvalidArgumentError(`${method}: ${describeZodIssues(parsed.error)}`));
  }
  return await callValidated(api, method, parsed.data);
}

/**
 * The second half of `dispatchCall`, for a transport that already validated the argument with the method's input
 * schema (Electron IPC does, before anything else): calls the service and checks the result against the contract.
 */
export async function callValidated(api: VeilApi, method: VeilMethod, input: unknown): Promise<CallOutcome> {
  try {
    const value = await invoke(api, method, input);
    const checked = veilContract[method].output.safeParse(value);
    if (!checked.success) {
      return failure(
        new ContractViolationError(
          `${method}: the core returned a result that does not match the contract (${describeZodIssues(checked.error)})`,
        ),
      );
    }
    return { ok: true, value: checked.data };
  } catch (error) {
    return failure(error, method);
  }
}

/** Reduces anything thrown to a bounded `{name, message}`: never the stack, the cause or custom fields. */
export function toErrorInfo(error: unknown, method?: string): ErrorInfo {
  if (error instanceof Error) {
    return {
      name: error.name.slice(0, MAX_ERROR_NAME_LENGTH),
      message: error.message.slice(0, MAX_ERROR_MESSAGE_LENGTH),
    };
  }
  // A thrown non-Error could be any value, user text included: describe it without echoing it.
  return { name: 'Error', message: `${method ?? 'dispatch'}: the call failed with a non-Error value` };
}

/** One IPC method as `main/ipc/registerIpcHandlers` takes it: the argument schema and the core function. */
export interface VeilMethodHandler {
  readonly schema: z.ZodType;
  handler(input: unknown): Promise<unknown>;
}

/**
 * The `{ [method]: { schema, handler } }` map for `registerIpcHandlers`. The IPC layer validates the argument with
 * `schema`; `handler` then calls the service and checks the result against the contract's output schema, throwing
 * the service's own error (or `ContractViolationError`) so the IPC layer reduces it to `{name, message}` as usual.
 */
export function veilIpcHandlers(api: VeilApi): Record<VeilMethod, VeilMethodHandler> {
  const handlers = {} as Record<VeilMethod, VeilMethodHandler>;
  for (const method of Object.keys(veilContract) as VeilMethod[]) {
    handlers[method] = {
      schema: veilContract[method].input,
      handler: async (input) => {
        // registerIpcHandlers already parsed `input` with this schema; validating it again would be wasted work.
        const outcome = await callValidated(api, method, input);
        if (outcome.ok) return outcome.value;
        throw new RemoteError(outcome.error);
      },
    };
  }
  return handlers;
}

async function invoke(api: VeilApi, method: VeilMethod, input: unknown): Promise<unknown> {
  // The input was parsed with this very method's schema (here or by the transport), so the cast restates that.
  const fn = api[method] as (input: unknown) => Promise<unknown>;
  return await fn.call(api, input);
}

function failure(error: unknown, method?: string): CallOutcome {
  return { ok: false, error: toErrorInfo(error, method) };
}

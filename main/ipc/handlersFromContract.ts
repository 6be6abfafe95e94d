import type { z } from 'zod';
import type { IpcHandlerMap } from './registerIpcHandlers';

/** The shape of a typed contract: every method names the schema of its argument. */
export type ContractLike = Readonly<Record<string, { readonly input: z.ZodType }>>;

/** One async function per contract method, taking the parsed argument. */
export type ContractImplementation<C extends ContractLike> = {
  readonly [M in keyof C]: (input: z.output<C[M]['input']>) => Promise<unknown>;
};

/**
 * Builds the handler map for {@link registerIpcHandlers} from a contract and the object implementing it, so wiring
 * the core is `registerIpcHandlers(deps, handlersFromContract(veilContract, api))`.
 */
export function handlersFromContract<C extends ContractLike>(
  contract: C,
  implementation: ContractImplementation<C>,
): IpcHandlerMap {
  const handlers: Record<string, IpcHandlerMap[string]> = {};
  for (const method of Object.keys(contract) as (keyof C & string)[]) {
    const implementationOf = implementation[method];
    handlers[method] = {
      schema: contract[method].input,
      handler: async (input) => await implementationOf(input as z.output<C[typeof method]['input']>),
    };
  }
  return handlers;
}

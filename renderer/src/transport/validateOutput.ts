import { veilContract, type VeilMethod } from '../../../app/contract/veilContract';
import { ContractViolationError } from './transportErrors';

/** The UI does not trust the wire either: every result is checked against the method's output schema. */
export function validateOutput(method: VeilMethod, value: unknown): unknown {
  const result = veilContract[method].output.safeParse(value);
  if (!result.success) {
    throw new ContractViolationError(`${method}: the answer does not match the contract`);
  }
  return result.data;
}

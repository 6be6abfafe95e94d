import { VeilError } from '../errors/VeilError';

/** A `dangerousTestOnly…` option (fixed keys, nonces or randomness) was passed outside a test run. */
export class TestOnlyOptionError extends VeilError {}

/**
 * Guards options that make cryptography deterministic for known-answer vectors. They are only honoured while vitest runs
 * (`VITEST` set) or `NODE_ENV === 'test'` (the vector generator script), so production code can never seal with a fixed
 * ephemeral key or a reused response key.
 */
export function assertTestOnly(operation: string, env: NodeJS.ProcessEnv = process.env): void {
  const isTest = (env.VITEST !== undefined && env.VITEST !== '') || env.NODE_ENV === 'test';
  if (!isTest) {
    throw new TestOnlyOptionError(`${operation}: dangerousTestOnly options are refused outside tests`);
  }
}

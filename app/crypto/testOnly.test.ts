import { describe, expect, it } from 'vitest';
import { assertTestOnly, TestOnlyOptionError } from './testOnly';

describe('assertTestOnly', () => {
  it('allows dangerous options under vitest or NODE_ENV=test only', () => {
    expect(() => assertTestOnly('op', { VITEST: 'true' })).not.toThrow();
    expect(() => assertTestOnly('op', { NODE_ENV: 'test' })).not.toThrow();
    expect(() => assertTestOnly('sealRequest', { NODE_ENV: 'production' })).toThrow(TestOnlyOptionError);
    expect(() => assertTestOnly('sealRequest', {})).toThrow(
      /^sealRequest: dangerousTestOnly options are refused/,
    );
  });
});

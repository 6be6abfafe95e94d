import { describe, expect, it } from 'vitest';
import { VEIL_METHODS } from './veilContract';
import { VEIL_METHOD_NAMES } from './veilMethodNames';

describe('VEIL_METHOD_NAMES', () => {
  it('lists exactly the contract methods, once each', () => {
    expect(new Set(VEIL_METHOD_NAMES).size).toBe(VEIL_METHOD_NAMES.length);
    expect([...VEIL_METHOD_NAMES].sort()).toEqual([...VEIL_METHODS].sort());
  });
});

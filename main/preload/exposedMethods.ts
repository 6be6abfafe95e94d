import { VEIL_METHOD_NAMES } from '../../app/contract/veilMethodNames';

/** The methods the preload exposes to the page, one named function each: exactly the contract's methods. */
export const EXPOSED_METHODS: readonly string[] = VEIL_METHOD_NAMES;

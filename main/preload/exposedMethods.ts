/**
 * The methods the preload exposes to the page, one named function each. A placeholder list until the UI contract
 * lands: then this becomes the contract's method list (`VEIL_METHODS` of app/contract/veilContract.ts).
 */
export const EXPOSED_METHODS: readonly string[] = ['system.getInfo'];

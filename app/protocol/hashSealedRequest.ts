import { blake2b256 } from '../crypto/hash';
import { getSodium } from '../crypto/sodium';

/**
 * `H(sealed request)`: the value receipts and usage records name, and the key a coordinator can use to refuse
 * duplicate submissions (docs/PROTOCOL.md §5.5).
 */
export async function hashSealedRequest(sealedRequest: Uint8Array): Promise<Uint8Array> {
  await getSodium();
  return blake2b256(sealedRequest);
}

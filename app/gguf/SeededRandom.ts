/**
 * A small deterministic PRNG (mulberry32): the same seed yields the same sequence on every platform, because it uses
 * only 32-bit integer arithmetic. Not for cryptography; it fills test-model weights.
 */
export class SeededRandom {
  private state: number;

  public constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Derives a seed from a string (FNV-1a, 32 bits), e.g. a recipe seed plus a tensor name. */
  public static seedFromString(text: string): number {
    let hash = 0x811c9dc5;
    for (const byte of new TextEncoder().encode(text)) {
      hash ^= byte;
      hash = Math.imul(hash, 0x01000193);
    }
    return hash >>> 0;
  }

  /** The next uniformly distributed unsigned 32-bit integer. */
  public nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
}

interface Waiter<T> {
  resolve: (item: T) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * A fixed set of items (context sequences) lent out one caller at a time. Callers that find every item busy wait in
 * first-in-first-out order, so a burst of requests cannot starve an earlier one; a waiter whose signal aborts leaves
 * the queue at once. Among several free items the caller's `score` picks the best (for example the sequence whose
 * cached tokens share the longest prefix with the new prompt); ties go to the item free for the longest time.
 */
export class SequencePool<T> {
  /** Free items, least recently released first. */
  readonly #free: T[];
  readonly #waiters: Waiter<T>[] = [];
  #closedReason: unknown = undefined;
  #closed = false;

  public constructor(items: readonly T[]) {
    this.#free = [...items];
  }

  /** Items free right now. */
  public get available(): number {
    return this.#free.length;
  }

  /** Callers waiting for an item. */
  public get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Resolves with an item that belongs to the caller until `release(item)`. Rejects with the signal's reason when it
   * aborts first, or with the close reason when the pool closes first.
   */
  public async acquire(signal?: AbortSignal, score?: (item: T) => number): Promise<T> {
    if (this.#closed) throw this.#closedReason;
    signal?.throwIfAborted();
    if (this.#free.length > 0 && this.#waiters.length === 0) return this.#takeBest(score);
    return await new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.#waiters.indexOf(waiter);
          if (index >= 0) this.#waiters.splice(index, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Returns an item: the longest waiter gets it, else it becomes free. Releasing into a closed pool is a no-op. */
  public release(item: T): void {
    if (this.#closed) return;
    const waiter = this.#waiters.shift();
    if (waiter === undefined) {
      this.#free.push(item);
      return;
    }
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
    waiter.resolve(item);
  }

  /** Rejects every waiter and every later `acquire` with `reason`. Idempotent. */
  public close(reason: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closedReason = reason;
    this.#free.length = 0;
    for (const waiter of this.#waiters.splice(0)) {
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.reject(reason);
    }
  }

  #takeBest(score: ((item: T) => number) | undefined): T {
    let bestIndex = 0;
    if (score !== undefined) {
      let bestScore = -Infinity;
      for (const [index, item] of this.#free.entries()) {
        const itemScore = score(item);
        if (itemScore > bestScore) {
          bestScore = itemScore;
          bestIndex = index;
        }
      }
    }
    const [item] = this.#free.splice(bestIndex, 1);
    return item as T;
  }
}

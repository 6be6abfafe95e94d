/**
 * Runs async critical sections one at a time, in call order. Used to serialize read-modify-write cycles on the
 * model manifest within one process, so two concurrent imports can never overwrite each other's entry.
 */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `task` after every previously queued task has settled, and returns its result. */
  public async runExclusive<T>(task: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await previous;
      return await task();
    } finally {
      release();
    }
  }
}

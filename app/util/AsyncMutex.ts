/**
 * Runs async critical sections one at a time, in call order: read-modify-write cycles on a file within one process
 * (the model manifest, the pin store, …), so two concurrent updates can never overwrite each other.
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

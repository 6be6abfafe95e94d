/** Shortest gap between two token events of one generation, in ms: about one display frame. */
export const DEFAULT_TOKEN_FLUSH_INTERVAL_MS = 16;

/**
 * Batches streamed text for the UI. The first chunk after a quiet spell goes out at once (no added latency for
 * ordinary token rates); chunks arriving faster than `intervalMs` are joined and sent once per interval, so a fast
 * model costs one frame per display frame instead of one per token.
 */
export class TokenCoalescer {
  private pending = '';
  private timer: NodeJS.Timeout | undefined;

  public constructor(
    private readonly emit: (text: string) => void,
    private readonly intervalMs: number = DEFAULT_TOKEN_FLUSH_INTERVAL_MS,
  ) {}

  public push(text: string): void {
    if (text === '') return;
    if (this.timer === undefined) {
      this.emit(text);
      this.startCooldown();
      return;
    }
    this.pending += text;
  }

  /** Sends whatever is held back, now, and stops the timer (call before announcing the end of the generation). */
  public flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.emitPending();
  }

  private startCooldown(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pending === '') return;
      this.emitPending();
      this.startCooldown();
    }, this.intervalMs);
  }

  private emitPending(): void {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.emit(text);
  }
}

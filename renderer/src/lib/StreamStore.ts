/** What has been painted of one streaming reply. A new object per change, so React can compare snapshots. */
export interface StreamSnapshot {
  readonly text: string;
  /** Token events received and flushed so far. */
  readonly tokens: number;
}

type Listener = () => void;

/**
 * Holds the text of replies being streamed, outside React state: token events append to a pending buffer and one
 * `requestAnimationFrame` flush per frame publishes them, so a reply re-renders only its own message, at most once
 * per frame, however fast tokens arrive.
 */
export class StreamStore {
  private readonly snapshots = new Map<string, StreamSnapshot>();
  private readonly pending = new Map<string, { text: string; tokens: number }>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private frame: number | undefined;

  public append(messageId: string, text: string): void {
    const pending = this.pending.get(messageId);
    if (pending === undefined) this.pending.set(messageId, { text, tokens: 1 });
    else {
      pending.text += text;
      pending.tokens += 1;
    }
    this.frame ??= requestAnimationFrame(() => this.flush());
  }

  /** Starts a stream from text already stored (a page opened mid-reply), unless tokens already arrived. */
  public seed(messageId: string, text: string): void {
    if (this.snapshots.has(messageId) || this.pending.has(messageId)) return;
    this.snapshots.set(messageId, { text, tokens: 0 });
  }

  /** Publishes pending tokens now (a reply finished: its last tokens must not wait for a frame). */
  public flush(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    const flushed = [...this.pending];
    this.pending.clear();
    for (const [messageId, { text, tokens }] of flushed) {
      const previous = this.snapshots.get(messageId);
      this.snapshots.set(messageId, {
        text: (previous?.text ?? '') + text,
        tokens: (previous?.tokens ?? 0) + tokens,
      });
      this.notify(messageId);
    }
  }

  public get(messageId: string): StreamSnapshot | undefined {
    return this.snapshots.get(messageId);
  }

  /** Forgets a stream once the stored message carries its final text. */
  public clear(messageId: string): void {
    this.pending.delete(messageId);
    if (this.snapshots.delete(messageId)) this.notify(messageId);
  }

  public subscribe(messageId: string, listener: Listener): () => void {
    let set = this.listeners.get(messageId);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(messageId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(messageId);
    };
  }

  private notify(messageId: string): void {
    for (const listener of this.listeners.get(messageId) ?? []) listener();
  }
}

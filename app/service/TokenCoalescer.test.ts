import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenCoalescer } from './TokenCoalescer';

describe('TokenCoalescer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the first chunk at once, batches a burst per interval, and loses nothing', () => {
    const sent: string[] = [];
    const coalescer = new TokenCoalescer((text) => sent.push(text), 16);
    coalescer.push('a');
    expect(sent).toEqual(['a']);
    coalescer.push('b');
    coalescer.push('c');
    expect(sent).toEqual(['a']);
    vi.advanceTimersByTime(16);
    expect(sent).toEqual(['a', 'bc']);
    coalescer.push('d');
    vi.advanceTimersByTime(16);
    expect(sent).toEqual(['a', 'bc', 'd']);
    // After a quiet interval the next chunk again goes out immediately.
    vi.advanceTimersByTime(16);
    coalescer.push('e');
    expect(sent).toEqual(['a', 'bc', 'd', 'e']);
  });

  it('flush sends what is held back and stops the timer', () => {
    const sent: string[] = [];
    const coalescer = new TokenCoalescer((text) => sent.push(text), 16);
    coalescer.push('a');
    coalescer.push('b');
    coalescer.push('');
    coalescer.flush();
    expect(sent).toEqual(['a', 'b']);
    expect(vi.getTimerCount()).toBe(0);
    coalescer.flush();
    expect(sent).toEqual(['a', 'b']);
  });
});

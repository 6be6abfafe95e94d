import { describe, expect, it } from 'vitest';
import { SequencePool } from './SequencePool';

describe('SequencePool', () => {
  it('lends each free item once, then makes callers wait', async () => {
    const pool = new SequencePool(['a', 'b']);
    const first = await pool.acquire();
    const second = await pool.acquire();
    expect(new Set([first, second])).toEqual(new Set(['a', 'b']));
    expect(pool.available).toBe(0);

    let third: string | undefined;
    const waiting = (async () => {
      third = await pool.acquire();
    })();
    await Promise.resolve();
    expect(third).toBeUndefined();
    expect(pool.waiting).toBe(1);
    pool.release(first);
    await waiting;
    expect(third).toBe(first);
  });

  it('serves waiters first-in-first-out', async () => {
    const pool = new SequencePool(['only']);
    const held = await pool.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map(async (id) => {
      const item = await pool.acquire();
      order.push(id);
      pool.release(item);
    });
    pool.release(held);
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
  });

  it('does not let a newcomer overtake a waiter when an item frees up', async () => {
    const pool = new SequencePool(['only']);
    const held = await pool.acquire();
    const order: string[] = [];
    const early = (async () => {
      await pool.acquire();
      order.push('early');
    })();
    pool.release(held);
    const late = (async () => {
      await pool.acquire();
      order.push('late');
    })();
    await early;
    expect(order).toEqual(['early']);
    expect(pool.waiting).toBe(1);
    pool.release('only');
    await late;
    expect(order).toEqual(['early', 'late']);
  });

  it('removes an aborted waiter from the queue and rejects it with the signal reason', async () => {
    const pool = new SequencePool(['only']);
    const held = await pool.acquire();
    const controller = new AbortController();
    const aborted = pool.acquire(controller.signal);
    const next = pool.acquire();
    controller.abort(new Error('user cancelled'));
    await expect(aborted).rejects.toThrow('user cancelled');
    expect(pool.waiting).toBe(1);
    pool.release(held);
    await expect(next).resolves.toBe('only');
  });

  it('rejects at once when the signal is already aborted', async () => {
    const pool = new SequencePool(['a']);
    await expect(pool.acquire(AbortSignal.abort(new Error('too late')))).rejects.toThrow('too late');
    expect(pool.available).toBe(1);
  });

  it('picks the free item with the best score, ties going to the one free longest', async () => {
    const pool = new SequencePool(['x', 'y', 'z']);
    expect(await pool.acquire(undefined, (item) => (item === 'y' ? 5 : 1))).toBe('y');
    expect(await pool.acquire(undefined, () => 0)).toBe('x');
    pool.release('x');
    pool.release('y');
    expect(await pool.acquire(undefined, () => 0)).toBe('z');
  });

  it('rejects waiters and later callers once closed, and ignores releases after', async () => {
    const pool = new SequencePool(['only']);
    const held = await pool.acquire();
    const waiter = pool.acquire();
    const reason = new Error('closed');
    pool.close(reason);
    pool.close(new Error('second close is ignored'));
    await expect(waiter).rejects.toBe(reason);
    await expect(pool.acquire()).rejects.toBe(reason);
    pool.release(held);
    expect(pool.available).toBe(0);
  });
});

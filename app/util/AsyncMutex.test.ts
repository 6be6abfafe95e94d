import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AsyncMutex } from './AsyncMutex';

describe('AsyncMutex', () => {
  it('runs tasks one at a time in call order, and a failure does not block the next task', async () => {
    const mutex = new AsyncMutex();
    const log: string[] = [];
    let running = 0;
    const task =
      (name: string, ms: number, fail = false) =>
      async () => {
        running++;
        expect(running).toBe(1);
        log.push(`start ${name}`);
        await delay(ms);
        log.push(`end ${name}`);
        running--;
        if (fail) throw new Error(name);
        return name;
      };

    const results = await Promise.allSettled([
      mutex.runExclusive(task('a', 20)),
      mutex.runExclusive(task('b', 1, true)),
      mutex.runExclusive(task('c', 5)),
    ]);

    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});

import { describe, expect, it } from 'vitest';

import { oneAtATime } from '../../../../shared/async/oneAtATime.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('oneAtATime', () => {
  it('runs one task at a time, in the order they were given', async () => {
    const inTurn = oneAtATime();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await tick(ms);
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([inTurn(task('a', 20)), inTurn(task('b', 1)), inTurn(task('c', 5))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('rejects only the call whose task failed, and goes on with the next', async () => {
    const inTurn = oneAtATime();
    const failed = inTurn(() => Promise.reject(new Error('boom')));
    const next = inTurn(() => Promise.resolve('next'));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });
});

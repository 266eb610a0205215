import { describe, expect, it } from 'vitest';

import { mapWithConcurrency } from '../../../../shared/async/mapWithConcurrency.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapWithConcurrency', () => {
  it('never runs more than the limit at once, and returns the results in the order of the items', async () => {
    let running = 0;
    let most = 0;
    const results = await mapWithConcurrency([50, 10, 30, 5, 20, 1, 15], 3, async (ms, index) => {
      running += 1;
      most = Math.max(most, running);
      await tick(ms);
      running -= 1;
      return `${index}:${ms}`;
    });
    expect(most).toBe(3);
    expect(results).toEqual(['0:50', '1:10', '2:30', '3:5', '4:20', '5:1', '6:15']);
  });

  it('answers an empty list at once', async () => {
    expect(await mapWithConcurrency([], 4, () => Promise.reject(new Error('never called')))).toEqual([]);
  });

  it('starts nothing more after a failure, and rejects only after the calls in flight have settled', async () => {
    const finished: number[] = [];
    const outcome = mapWithConcurrency([1, 2, 3, 4, 5], 3, async (n) => {
      await tick(n === 1 ? 1 : 30);
      if (n === 1) throw new Error('one failed');
      finished.push(n);
      return n;
    });
    await expect(outcome).rejects.toThrow('one failed');
    expect(finished.sort()).toEqual([2, 3]);
  });
});

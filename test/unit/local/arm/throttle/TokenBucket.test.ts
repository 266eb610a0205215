import { describe, expect, it } from 'vitest';

import { TokenBucket } from '../../../../../local/arm/throttle/TokenBucket.js';

describe('TokenBucket', () => {
  it('serves its burst, then refills at its rate and says when the next token comes', () => {
    let now = 0;
    const bucket = new TokenBucket(3, 2, () => now);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
    expect(bucket.retryAfterSeconds()).toBe(1);
    now = 499;
    expect(bucket.tryTake()).toBe(false);
    now = 500;
    expect(bucket.tryTake()).toBe(true);
    now = 60_000;
    expect(bucket.remaining).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';

import { contendedPauseMs } from '../../../../shared/runs/RunDispatch.js';

describe('contendedPauseMs', () => {
  it('waits up to twice as long after each lost race, never past 252 ms, never less than 2 ms', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((attempt) => contendedPauseMs(attempt, 1))).toEqual([
      12, 22, 42, 82, 162, 252, 252,
    ]);
    expect(contendedPauseMs(7, 0)).toBe(2);
    expect(contendedPauseMs(2, 0.5)).toBe(22);
  });
});

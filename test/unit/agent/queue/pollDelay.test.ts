import { describe, expect, it } from 'vitest';

import { lingerIntervalMs } from '../../../../agent/queue/pollDelay.js';

const polling = { busyIntervalMs: 100, idleIntervalMs: 5_000, busyLingerMs: 120_000 };

describe('lingerIntervalMs', () => {
  it('stays busy for 5 s after a command, then doubles every 5 s up to the idle interval', () => {
    expect(
      [0, 4_999, 5_000, 10_000, 15_000, 20_000, 25_000, 30_000].map((ms) => lingerIntervalMs(ms, polling)),
    ).toEqual([100, 100, 200, 400, 800, 1_600, 3_200, 5_000]);
  });

  it("after a thaw starts at four times the busy interval: the next command is another run's ping", () => {
    expect([0, 5_000, 10_000, 20_000, 119_999].map((ms) => lingerIntervalMs(ms, polling, true))).toEqual([
      400, 800, 1_600, 5_000, 5_000,
    ]);
    expect(lingerIntervalMs(120_000, polling, true)).toBe(5_000);
  });

  it('is idle once the linger is over, and before any command at all', () => {
    expect(lingerIntervalMs(120_000, polling)).toBe(5_000);
    expect(lingerIntervalMs(Number.POSITIVE_INFINITY, polling)).toBe(5_000);
  });
});

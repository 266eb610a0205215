import { describe, expect, it } from 'vitest';

import { planRetention, type RetainedSnapshot } from '../../../../shared/retention/planRetention.js';

const now = new Date('2026-03-31T00:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 24 * 3600_000).toISOString();
const daily = (disk: string, count: number): RetainedSnapshot[] =>
  Array.from({ length: count }, (_, i) => ({ id: `${disk}-${i}`, diskId: disk, createdAt: daysAgo(i) }));
const ids = (list: { id: string }[]) => list.map((s) => s.id).sort();

describe('planRetention', () => {
  it('keeps the newest N per disk and deletes the rest', () => {
    const plan = planRetention([...daily('a', 5), ...daily('b', 3)], { keepLast: 3, minimumKept: 1 }, now);
    expect(ids(plan.delete)).toEqual(['a-3', 'a-4']);
    expect(plan.delete[0]?.because).toBe('not among the newest 3');
  });

  it('keeps snapshots younger than N days', () => {
    const plan = planRetention(daily('a', 10), { keepDays: 7, minimumKept: 1 }, now);
    expect(ids(plan.delete)).toEqual(['a-7', 'a-8', 'a-9']);
  });

  it('with both rules, deletes only what every rule lets go', () => {
    const plan = planRetention(daily('a', 10), { keepLast: 8, keepDays: 3, minimumKept: 1 }, now);
    expect(ids(plan.delete)).toEqual(['a-8', 'a-9']);
  });

  it('never deletes the newest minimumKept, even when all are old', () => {
    const old: RetainedSnapshot[] = [0, 1, 2].map((i) => ({
      id: `old-${i}`,
      diskId: 'a',
      createdAt: daysAgo(100 + i),
    }));
    const plan = planRetention(old, { keepDays: 7, minimumKept: 2 }, now);
    expect(ids(plan.keep)).toEqual(['old-0', 'old-1']);
    expect(ids(plan.delete)).toEqual(['old-2']);
  });

  it('deletes nothing from an empty list', () => {
    expect(planRetention([], { keepLast: 1, minimumKept: 1 }, now)).toEqual({ keep: [], delete: [] });
  });
});

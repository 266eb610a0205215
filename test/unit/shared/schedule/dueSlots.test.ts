import { describe, expect, it } from 'vitest';

import { dueSlots, policyRunId } from '../../../../shared/schedule/dueSlots.js';

const at = (iso: string) => new Date(iso);
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const twiceDaily = { cron: '0 2,14 * * *', timeZone: 'UTC' };
const GRACE = 30 * 60_000;

describe('dueSlots', () => {
  it('runs the slot that fell due since the last check', () => {
    expect(dueSlots(twiceDaily, at('2026-03-01T13:59:00Z'), at('2026-03-01T14:00:00Z'), GRACE)).toEqual({
      run: [at('2026-03-01T14:00:00Z')],
      missed: [],
    });
  });

  it('runs nothing when no slot fell due, and nothing twice (the boundary belongs to one check)', () => {
    expect(dueSlots(twiceDaily, at('2026-03-01T14:00:00Z'), at('2026-03-01T14:01:00Z'), GRACE)).toEqual({
      run: [],
      missed: [],
    });
  });

  it('catches up only the newest missed slot within the grace window after downtime', () => {
    const plan = dueSlots(twiceDaily, at('2026-03-01T01:00:00Z'), at('2026-03-02T02:10:00Z'), GRACE);
    expect(iso(plan.run)).toEqual(['2026-03-02T02:00:00.000Z']);
    expect(iso(plan.missed)).toEqual(['2026-03-01T02:00:00.000Z', '2026-03-01T14:00:00.000Z']);
  });

  it('records a missed slot older than the grace window without running it', () => {
    const plan = dueSlots(twiceDaily, at('2026-03-01T13:00:00Z'), at('2026-03-01T15:00:00Z'), GRACE);
    expect(plan).toEqual({ run: [], missed: [at('2026-03-01T14:00:00Z')] });
  });

  it('evaluates the cron in the policy time zone, across daylight saving time', () => {
    const berlin = { cron: '0 2 * * *', timeZone: 'Europe/Berlin' };
    // 02:00 Berlin is 01:00 UTC in winter and 00:00 UTC in summer.
    expect(iso(dueSlots(berlin, at('2026-01-15T00:30:00Z'), at('2026-01-15T01:00:00Z'), GRACE).run)).toEqual([
      '2026-01-15T01:00:00.000Z',
    ]);
    expect(iso(dueSlots(berlin, at('2026-07-15T23:30:00Z'), at('2026-07-16T00:00:00Z'), GRACE).run)).toEqual([
      '2026-07-16T00:00:00.000Z',
    ]);
  });

  it('looks back only as far as the grace window without a previous check', () => {
    expect(iso(dueSlots(twiceDaily, undefined, at('2026-03-01T14:20:00Z'), GRACE).run)).toEqual([
      '2026-03-01T14:00:00.000Z',
    ]);
    expect(dueSlots(twiceDaily, undefined, at('2026-03-01T15:00:00Z'), GRACE)).toEqual({ run: [], missed: [] });
  });
});

describe('policyRunId', () => {
  it('is the same for the same policy and slot, and a valid durable instance id', () => {
    const id = policyRunId('nightly-sql', at('2026-03-01T14:00:00Z'));
    expect(id).toBe('policy-nightly-sql-20260301T140000Z');
    expect(policyRunId('nightly-sql', at('2026-03-01T14:00:00.000Z'))).toBe(id);
    expect(id).not.toMatch(/[/\\#?]/);
  });
});

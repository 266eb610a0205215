import { describe, expect, it } from 'vitest';

import { ScheduleMonitor } from '../../../../../local/host/timer/ScheduleMonitor.js';
import { parseTimerSchedule, recursAtLeastEveryMinute } from '../../../../../local/host/timer/TimerSchedule.js';

const at = (iso: string) => new Date(iso);

describe('parseTimerSchedule', () => {
  it('reads six-field NCRONTAB with seconds first', () => {
    const schedule = parseTimerSchedule('30 */5 * * * *');
    expect(schedule.next(at('2026-01-01T10:02:00Z')).toISOString()).toBe('2026-01-01T10:05:30.000Z');
    expect(schedule.next(at('2026-01-01T10:05:30Z')).toISOString()).toBe('2026-01-01T10:10:30.000Z');
  });

  it('reads five fields as seconds = 0', () => {
    expect(parseTimerSchedule('0 3 * * *').next(at('2026-01-01T10:00:00Z')).toISOString()).toBe(
      '2026-01-02T03:00:00.000Z',
    );
  });

  it('requires day-of-month AND day-of-week, as NCrontab does', () => {
    // 2026-02-13 is the first Friday the 13th after 2026-01-01.
    expect(parseTimerSchedule('0 0 9 13 * 5').next(at('2026-01-01T00:00:00Z')).toISOString()).toBe(
      '2026-02-13T09:00:00.000Z',
    );
  });

  it('evaluates cron in the given time zone', () => {
    const schedule = parseTimerSchedule('0 0 2 * * *', 'Europe/Berlin');
    // 02:00 in Berlin summer time is 00:00 UTC.
    expect(schedule.next(at('2026-06-30T23:00:00Z')).toISOString()).toBe('2026-07-01T00:00:00.000Z');
    expect(schedule.next(at('2026-07-01T00:00:01Z')).toISOString()).toBe('2026-07-02T00:00:00.000Z');
  });

  it('repeats a TimeSpan schedule after each run', () => {
    const schedule = parseTimerSchedule('00:05:00');
    expect(schedule.adjustForDST).toBe(false);
    expect(schedule.next(at('2026-01-01T10:02:17Z')).toISOString()).toBe('2026-01-01T10:07:17.000Z');
    expect(parseTimerSchedule('1.00:00:00').next(at('2026-01-01T00:00:00Z')).toISOString()).toBe(
      '2026-01-02T00:00:00.000Z',
    );
  });

  it('explains what is wrong with a bad schedule', () => {
    expect(() => parseTimerSchedule('every five minutes')).toThrow(/neither a TimeSpan nor an NCRONTAB/);
    expect(() => parseTimerSchedule('0 0 25 * * *')).toThrow(/invalid/);
    expect(() => parseTimerSchedule('00:00:00')).toThrow(/positive/);
  });

  it('knows which schedules recur more often than once a minute', () => {
    expect(recursAtLeastEveryMinute(parseTimerSchedule('*/10 * * * * *'), new Date())).toBe(true);
    expect(recursAtLeastEveryMinute(parseTimerSchedule('0 * * * * *'), new Date())).toBe(false);
  });
});

describe('ScheduleMonitor.pastDueMs', () => {
  const everyFiveMinutes = parseTimerSchedule('0 */5 * * * *');

  it('is zero while the recorded next occurrence is ahead', () => {
    const status = {
      Last: '2026-01-01T10:00:00Z',
      Next: '2026-01-01T10:05:00.000Z',
      LastUpdated: '2026-01-01T10:00:00.000Z',
    };
    expect(ScheduleMonitor.pastDueMs(status, everyFiveMinutes, at('2026-01-01T10:04:59Z'))).toBe(0);
  });

  it('is how late the recorded next occurrence is', () => {
    const status = {
      Last: '2026-01-01T10:00:00Z',
      Next: '2026-01-01T10:05:00.000Z',
      LastUpdated: '2026-01-01T10:00:00.000Z',
    };
    expect(ScheduleMonitor.pastDueMs(status, everyFiveMinutes, at('2026-01-01T10:07:00Z'))).toBe(120_000);
  });

  it('follows a changed schedule instead of the occurrence recorded under the old one', () => {
    const hourly = { Last: null, Next: '2026-01-01T11:00:00.000Z', LastUpdated: '2026-01-01T10:00:00.000Z' };
    expect(ScheduleMonitor.pastDueMs(hourly, everyFiveMinutes, at('2026-01-01T10:06:00Z'))).toBe(60_000);
  });
});

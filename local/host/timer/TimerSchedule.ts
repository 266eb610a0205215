import { Cron } from 'croner';

import { isTimeSpan, parseTimeSpanMs } from '../app/timeSpan.js';

export interface TimerSchedule {
  readonly text: string;
  readonly adjustForDST: boolean;
  /** The first occurrence strictly after `after`. */
  next(after: Date): Date;
}

const ONE_MINUTE_MS = 60_000;

/**
 * A timer trigger's schedule: NCRONTAB (`sec min hour day month dow`; 5 fields mean seconds = 0, as WebJobs'
 * CronSchedule allows) evaluated in `timeZone`, with day-of-month AND day-of-week as NCrontab does; or a TimeSpan
 * (`hh:mm:ss`), which repeats that interval after each run.
 */
export function parseTimerSchedule(text: string, timeZone = 'UTC'): TimerSchedule {
  if (isTimeSpan(text)) {
    const intervalMs = parseTimeSpanMs(text);
    if (intervalMs <= 0) throw new Error(`Timer schedule "${text}" must be a positive TimeSpan.`);
    return { text, adjustForDST: false, next: (after) => new Date(after.getTime() + intervalMs) };
  }
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    throw new Error(
      `Timer schedule "${text}" is neither a TimeSpan nor an NCRONTAB expression (sec min hour day month dow).`,
    );
  }
  let cron: Cron;
  try {
    cron = new Cron(text, { mode: '5-or-6-parts', domAndDow: true, timezone: timeZone });
  } catch (error: unknown) {
    throw new Error(`Timer schedule "${text}" is invalid: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return {
    text,
    adjustForDST: true,
    next(after) {
      const next = cron.nextRun(after);
      if (!next) throw new Error(`Timer schedule "${text}" has no occurrence after ${after.toISOString()}.`);
      return next;
    },
  };
}

/** WebJobs turns the schedule monitor off for schedules that recur more often than once a minute. */
export function recursAtLeastEveryMinute(schedule: TimerSchedule, now: Date): boolean {
  const first = schedule.next(now);
  return schedule.next(first).getTime() - first.getTime() < ONE_MINUTE_MS;
}

import { Cron } from 'croner';

import type { Schedule } from '../policy/BackupPolicy.js';

export interface SlotPlan {
  /** Slots to run now, oldest first: the regular slot, or after downtime the newest missed one within the grace window. */
  run: Date[];
  /** Slots that were missed and are too old (or not the newest) to catch up; recorded, not run. */
  missed: Date[];
}

/** How far back a scheduler run looks when it has no record of its previous check. */
export const MAX_LOOKBACK_MS = 24 * 3600_000;

/**
 * The slots of a policy's schedule that fell due in (`since`, `now`]. At most one slot runs per check: the newest, if it
 * is not older than `graceMs` (a slot missed during downtime is caught up once, not all of them); the rest are missed.
 */
export function dueSlots(schedule: Schedule, since: Date | undefined, now: Date, graceMs: number): SlotPlan {
  const from = since ?? new Date(now.getTime() - Math.min(graceMs, MAX_LOOKBACK_MS));
  const cron = new Cron(schedule.cron, { mode: '5-part', timezone: schedule.timeZone, paused: true });
  const slots: Date[] = [];
  for (let next = cron.nextRun(from); next && next <= now; next = cron.nextRun(next)) {
    slots.push(next);
    if (slots.length > 10_000) break; // a minutely schedule after a week of downtime: the newest is all that matters
  }
  const newest = slots.at(-1);
  if (!newest) return { run: [], missed: [] };
  const runnable = now.getTime() - newest.getTime() <= graceMs;
  return { run: runnable ? [newest] : [], missed: runnable ? slots.slice(0, -1) : slots };
}

/** The deterministic id of a policy run: the same slot always gives the same orchestration instance. */
export function policyRunId(policyName: string, slot: Date): string {
  return `policy-${policyName}-${slot
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z')}`;
}

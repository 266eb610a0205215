import { z } from 'zod';

import { defineActivity } from '../shared/activity/ActivityContract.js';
import { inOneSubscription, SnapshotSet } from '../shared/arm/snapshotSet.js';

export const SnapshotReadiness = z.object({
  id: z.string(),
  /** ready: Succeeded and fully copied; copying: still being created or copied; failed; missing: gone (404). */
  state: z.enum(['ready', 'copying', 'failed', 'missing']),
  completionPercent: z.number().optional(),
  error: z.string().optional(),
});
export type SnapshotReadiness = z.infer<typeof SnapshotReadiness>;

export const WaitSnapshotsReadyOutput = z.object({
  /** Every snapshot is ready. */
  ready: z.boolean(),
  snapshots: z.array(SnapshotReadiness),
});
export type WaitSnapshotsReadyOutput = z.infer<typeof WaitSnapshotsReadyOutput>;

/**
 * Step 6 of backupVm, after the thaw: one look at the snapshots' background copies (Premium SSD v2 / Ultra incrementals
 * report completionPercent). It returns at once; the orchestrator waits between looks with durable timers.
 */
export const waitSnapshotsReadyContract = defineActivity(
  'waitSnapshotsReady',
  z.object(SnapshotSet).refine(...inOneSubscription),
  WaitSnapshotsReadyOutput,
);

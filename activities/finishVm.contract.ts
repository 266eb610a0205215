import { z } from 'zod';

import { defineActivity } from '../shared/activity/ActivityContract.js';
import { VmResult } from '../shared/results/RunStore.js';
import { LaneTake, RunTarget } from '../shared/runs/runInputs.js';
import { ApplyRetentionInput, ApplyRetentionOutput } from './applyRetention.contract.js';

/** The lane's next VM, taken by the VM before it; `next` absent: the dispatch has none left. */
export const HandOff = z.object({ next: RunTarget.optional() });
export type HandOff = z.infer<typeof HandOff>;

/** What the policy's retention did, or why it could not run (`error`): never a reason to fail the VM. */
export const RetentionDone = ApplyRetentionOutput.pick({ deleted: true, failed: true }).extend({
  error: z.string().optional(),
});
export type RetentionDone = z.infer<typeof RetentionDone>;

/**
 * The end of one VM in one run, in one activity: the policy's retention applied (when asked: its outcome lands in the
 * result's warnings and evidence), the final result recorded, the claim released and, for a VM of a lane, the lane's
 * next VM taken from the run's dispatch. `handOff` is absent when there is no lane or the take failed: the lane then
 * takes its next VM itself, with the same take.
 */
export const finishVmContract = defineActivity(
  'finishVm',
  z.object({
    result: VmResult,
    retention: ApplyRetentionInput.extend({ dryRun: z.literal(false) }).optional(),
    /** The claim's etag, when this run got the claim: released on it, without a read. */
    claimEtag: z.string().optional(),
    laneTake: LaneTake.optional(),
  }),
  z.object({ retention: RetentionDone.optional(), handOff: HandOff.optional() }),
);

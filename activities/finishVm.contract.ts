import { z } from 'zod';

import { defineActivity } from '../shared/activity/ActivityContract.js';
import { VmResult } from '../shared/results/RunStore.js';
import { LaneTake, RunTarget } from '../shared/runs/runInputs.js';

/** The lane's next VM, taken by the VM before it; `next` absent: the dispatch has none left. */
export const HandOff = z.object({ next: RunTarget.optional() });
export type HandOff = z.infer<typeof HandOff>;

/**
 * The end of one VM in one run, in one activity: its final result recorded, its claim released and, for a VM of a
 * lane, the lane's next VM taken from the run's dispatch. `handOff` is absent when there is no lane or the take
 * failed: the lane then takes its next VM itself, with the same take.
 */
export const finishVmContract = defineActivity(
  'finishVm',
  z.object({ result: VmResult, laneTake: LaneTake.optional() }),
  z.object({ handOff: HandOff.optional() }),
);

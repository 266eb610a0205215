import { registerActivity } from '../shared/activity/registerActivity.js';
import { runStore } from '../shared/results/defaultRunStore.js';
import { vmLocks } from '../shared/runs/defaultVmLocks.js';
import { runDispatch } from '../shared/runs/RunDispatch.js';
import { finishVmContract } from './finishVm.contract.js';

registerActivity(finishVmContract, async ({ result, laneTake }, context) => {
  await runStore().putVmResult(result);
  await vmLocks().release(result.vmId, result.runId);
  if (!laneTake) return {};
  try {
    const taken = await runDispatch().take(result.runId, laneTake.lane, laneTake.seq);
    return { handOff: taken ? { next: taken.target } : {} };
  } catch (error: unknown) {
    // The VM is done and recorded; its lane takes the next VM itself.
    context.warn(`Run ${result.runId}, lane ${laneTake.lane}: could not take the next VM: ${String(error)}`);
    return {};
  }
});

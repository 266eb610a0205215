import { registerActivity } from '../shared/activity/registerActivity.js';
import { runStore } from '../shared/results/defaultRunStore.js';
import { vmLocks } from '../shared/runs/defaultVmLocks.js';
import { runDispatch } from '../shared/runs/RunDispatch.js';
import { finishVmContract } from './finishVm.contract.js';
import { retain, withRetention } from './retentionOutcome.js';

registerActivity(finishVmContract, async ({ result, retention, claimEtag, laneTake }, context) => {
  // Retention first, so its outcome is part of the one result recorded. A retry runs it again: deleting a snapshot
  // already gone counts as deleted, and the newest N are kept either way.
  const retained = retention ? await retain(retention) : undefined;
  await runStore().putVmResult(retained ? withRetention(result, retained) : result);
  await vmLocks().release(result.vmId, result.runId, claimEtag);
  const done = retained ? { retention: retained } : {};
  if (!laneTake) return done;
  try {
    const taken = await runDispatch().take(result.runId, laneTake.lane, laneTake.seq);
    return { ...done, handOff: taken ? { next: taken.target } : {} };
  } catch (error: unknown) {
    // The VM is done and recorded; its lane takes the next VM itself.
    context.warn(`Run ${result.runId}, lane ${laneTake.lane}: could not take the next VM: ${String(error)}`);
    return done;
  }
});

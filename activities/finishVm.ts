import { registerActivity } from '../shared/activity/registerActivity.js';
import { describeArmError } from '../shared/errors/restErrors.js';
import { runStore } from '../shared/results/defaultRunStore.js';
import type { VmResult } from '../shared/results/RunStore.js';
import { vmLocks } from '../shared/runs/defaultVmLocks.js';
import { runDispatch } from '../shared/runs/RunDispatch.js';
import type { ApplyRetentionInput } from './applyRetention.contract.js';
import { applyRetention } from './applyRetention.js';
import { finishVmContract, type RetentionDone } from './finishVm.contract.js';

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

async function retain(input: ApplyRetentionInput): Promise<RetentionDone> {
  try {
    const { deleted, failed } = await applyRetention(input);
    return { deleted, failed };
  } catch (error: unknown) {
    // Listing the snapshots failed past the client's own retries: nothing was deleted; the next run tries again.
    return { deleted: [], failed: [], error: describeArmError(error) };
  }
}

function withRetention(result: VmResult, retained: RetentionDone): VmResult {
  const warnings = [
    ...result.warnings,
    ...(retained.error ? [`retention did not run: ${retained.error}`] : []),
    ...retained.failed.map((f) => `retention could not delete ${f.id}: ${f.error}`),
  ];
  const evidence = typeof result.evidence === 'object' && result.evidence !== null ? result.evidence : {};
  return {
    ...result,
    warnings,
    evidence: { ...evidence, retention: { deleted: retained.deleted.length, failed: retained.failed.length } },
  };
}

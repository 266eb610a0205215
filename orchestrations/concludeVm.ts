import type { Task } from 'durable-functions';
import type { z } from 'zod';

import { retentionInputFor } from '../activities/applyRetention.contract.js';
import { finishVmContract } from '../activities/finishVm.contract.js';
import { recordResultContract } from '../activities/recordResults.contract.js';
import { tagSnapshotsContract } from '../activities/tagSnapshots.contract.js';
import { waitSnapshotsReadyContract } from '../activities/waitSnapshotsReady.contract.js';
import { CONSISTENCY_TAG } from '../shared/results/consistency.js';
import type { VmResult } from '../shared/results/RunStore.js';
import type { Verdict } from '../shared/results/verdict.js';
import { callActivity } from './callActivity.js';
import { retryPolicies } from './retryPolicies.js';
import { trimOutputTails } from './trimOutputTails.js';
import type { VmBackupState } from './VmBackupState.js';

const COPY_POLL_FIRST_MS = 5_000;
const COPY_POLL_MAX_MS = 60_000;
/** Premium SSD v2 and Ultra background copies can take hours; past this the result says the copy is unfinished. */
const COPY_WAIT_LIMIT_MS = 12 * 3600_000;

/**
 * Step 7, after the verdict: tag the snapshots with it, wait for their background copy (the monitor pattern: a check,
 * a durable timer, again), then apply the policy's retention and record the result in one activity. Failures here are warnings: the
 * snapshots exist and the verdict stands.
 */
export function* concludeVm(state: VmBackupState, verdict: Verdict): Generator<Task, void> {
  const { context, input } = state;
  const vm = state.vm;
  const taken = state.snapshotResults.filter((s) => s.ok && s.snapshotId);
  const snapshotIds = taken.map((s) => s.snapshotId ?? '');
  // Snapshots still copying may take hours: the result is recorded now, and again once they are ready.
  const copied = taken.every((s) => s.copied === true);
  if (!copied) yield* record(state, verdict, 'pending');
  let copy: 'none' | 'ready' | 'unfinished' = 'none';
  if (vm && snapshotIds.length > 0) {
    // Each tag is an ARM write (and a read): skipped when the snapshots were created with the verdict's tag.
    if (state.knownConsistency !== verdict.consistency) {
      state.enter('tagging');
      const tagged = yield* callActivity(
        context,
        tagSnapshotsContract,
        { subscriptionId: vm.subscriptionId, snapshotIds, tags: { [CONSISTENCY_TAG]: verdict.consistency } },
        retryPolicies.armWrite,
      );
      for (const failure of tagged.failed) state.warnings.push(`tagging ${failure.id} failed: ${failure.error}`);
    }

    state.enter('copying');
    copy = copied || (yield* waitForCopy(state, vm.subscriptionId, snapshotIds)) ? 'ready' : 'unfinished';
    if (copy === 'unfinished') state.warnings.push('the snapshots were still copying when Quiesce stopped waiting');
  }
  const retention = copy === 'ready' && verdict.consistency !== 'failed' ? retentionOf(state) : undefined;
  // Retention, the final record, the claim's release and the lane's next VM: one activity, the VM's last episode.
  state.enter(retention ? 'retention' : 'recording');
  const finished = yield* callActivity(
    context,
    finishVmContract,
    {
      result: resultOf(state, verdict, copy),
      ...(retention ? { retention } : {}),
      ...(state.claimEtag ? { claimEtag: state.claimEtag } : {}),
      ...(input.laneTake ? { laneTake: input.laneTake } : {}),
    },
    retryPolicies.storage,
  );
  state.handOff = finished.handOff;
  state.enter('done');
}

/** The policy's retention over this VM's snapshots, when it has one. */
function retentionOf(state: VmBackupState) {
  const { input, vm } = state;
  const { retention, policy } = input.plan;
  return vm && retention && policy ? retentionInputFor(vm, policy, retention, false, state.now) : undefined;
}

function* waitForCopy(state: VmBackupState, subscriptionId: string, snapshotIds: string[]): Generator<Task, boolean> {
  const { context } = state;
  const giveUpAt = state.now.getTime() + COPY_WAIT_LIMIT_MS;
  for (let interval = COPY_POLL_FIRST_MS; ; interval = Math.min(interval * 2, COPY_POLL_MAX_MS)) {
    const check = yield* callActivity(
      context,
      waitSnapshotsReadyContract,
      { subscriptionId, snapshotIds },
      retryPolicies.armRead,
    );
    if (check.ready) return true;
    const broken = check.snapshots.filter((s) => s.state === 'failed' || s.state === 'missing');
    for (const snapshot of broken)
      state.warnings.push(`snapshot ${snapshot.id} is ${snapshot.state}${snapshot.error ? `: ${snapshot.error}` : ''}`);
    if (broken.length > 0 || state.now.getTime() + interval > giveUpAt) return false;
    yield context.df.createTimer(new Date(state.now.getTime() + interval));
  }
}

function* record(state: VmBackupState, verdict: Verdict, copy: string): Generator<Task, void> {
  state.enter('recording');
  yield* callActivity(state.context, recordResultContract, resultOf(state, verdict, copy), retryPolicies.storage);
}

function resultOf(state: VmBackupState, verdict: Verdict, copy: string): z.input<typeof VmResult> {
  const { context, input } = state;
  const thawed = state.replies.thawed;
  return {
    runId: input.runId,
    vmId: input.vmId,
    vmName: state.vmName,
    consistency: verdict.consistency,
    reason: verdict.reason,
    warnings: [...verdict.warnings, ...state.warnings],
    instanceId: context.df.instanceId,
    startedAt: state.startedAt.toISOString(),
    endedAt: state.now.toISOString(),
    ...(thawed && thawed.thawReason !== 'not-frozen' ? { freezeWindowMs: thawed.frozenDurationMs } : {}),
    snapshots: state.snapshotResults.map((s) => ({
      disk: s.disk,
      ...(s.snapshotId && s.ok ? { snapshotId: s.snapshotId } : {}),
    })),
    evidence: trimOutputTails({
      verdict: state.evidence,
      agent: state.replies,
      snapshots: state.snapshotResults,
      timings: state.timings,
      copy,
      ...(state.canceledDuring ? { canceledDuring: state.canceledDuring } : {}),
    }),
  };
}

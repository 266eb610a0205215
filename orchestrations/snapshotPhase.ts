import type { Task } from 'durable-functions';

import {
  createDiskSnapshotsContract,
  type CreateDiskSnapshotsOutput,
} from '../activities/createDiskSnapshots.contract.js';
import type { InspectedVm } from '../activities/inspectVm.contract.js';
import { CONSISTENCY_TAG } from '../shared/results/consistency.js';
import { scheduleActivity } from './callActivity.js';
import { thawWaitSeconds } from './freezeCommand.js';
import { cancelTimer, commandTtlSeconds } from './guestConversation.js';
import type { VmBackupState } from './VmBackupState.js';

/** A VM that is not frozen (at rest, or crash-consistent) may take this long for its snapshot operations. */
const UNFROZEN_DEADLINE_MS = 300_000;
/** How much longer than the activity's own deadline the orchestrator waits for its answer. */
const ANSWER_GRACE_MS = 15_000;
const MIN_DEADLINE_MS = 100;
/** Snapshot operations are polled this often while the guest is frozen (never the SDK's default 2 s)... */
export const FROZEN_POLL_INTERVAL_MS = 50;
/** ...and this often when nothing is frozen: each poll is a read against ARM's throttle, shared by the whole run. */
export const UNFROZEN_POLL_INTERVAL_MS = 1_000;

/**
 * Step 4: every disk's snapshot, started at once and polled until Succeeded inside the activity, under the deadline
 * the guest's watchdog leaves (or 5 minutes when nothing is frozen). Raced against a durable timer and the cancel
 * event: a cancel while frozen stops the wait so the guest is thawed first; the snapshots are then collected.
 */
export function* snapshotDisks(state: VmBackupState, vm: InspectedVm): Generator<Task, void> {
  const { context, input } = state;
  state.enter('snapshotting');
  if (vm.disks.length === 0) {
    state.warnings.push('the VM has no managed disks to snapshot');
    return;
  }
  const deadlineMs = state.frozenUntil
    ? Math.max(MIN_DEADLINE_MS, state.frozenUntil.getTime() - state.now.getTime())
    : UNFROZEN_DEADLINE_MS;
  const snapshots = scheduleActivity(context, createDiskSnapshotsContract, {
    runId: input.runId,
    ...(input.plan.policy ? { policy: input.plan.policy } : {}),
    vm: { name: vm.name, subscriptionId: vm.subscriptionId, resourceGroup: vm.resourceGroup, location: vm.location },
    disks: vm.disks,
    incremental: input.plan.snapshot.incremental,
    tags: {
      ...input.plan.snapshot.tags,
      ...(state.knownConsistency ? { [CONSISTENCY_TAG]: state.knownConsistency } : {}),
    },
    deadlineMs,
    pollIntervalMs: state.frozenUntil ? FROZEN_POLL_INTERVAL_MS : UNFROZEN_POLL_INTERVAL_MS,
    ...(state.frozenUntil ? { thaw: thawWithSnapshots(state, vm) } : {}),
  });
  const timer = context.df.createTimer(new Date(state.now.getTime() + deadlineMs + ANSWER_GRACE_MS));
  const racers = [snapshots.task, timer, ...(state.cancel.isCompleted ? [] : [state.cancel])];
  const winner = (yield context.df.Task.any(racers)) as Task;
  if (winner === state.cancel) {
    state.canceledDuring = 'snapshotting';
    state.pendingSnapshots = { task: snapshots.task, collect: settle(snapshots.task, snapshots.output) };
    cancelTimer(timer);
    return;
  }
  if (winner === timer) {
    failAll(
      state,
      vm,
      `no answer from the snapshot activity within ${Math.round((deadlineMs + ANSWER_GRACE_MS) / 1000)} s`,
    );
    return;
  }
  cancelTimer(timer);
  settle(snapshots.task, snapshots.output)(state, vm);
  state.snapshotsSettledBeforeThaw = state.evidence.snapshots.every((s) => s.ok);
}

/**
 * After a cancel, the snapshot activity is still running: wait for it to learn what exists. It is yielded alone (a task
 * already raced must not go into a new Task.any, which would schedule it again); its own hard deadline bounds the wait.
 */
export function* collectPendingSnapshots(state: VmBackupState, vm: InspectedVm): Generator<Task, void> {
  const pending = state.pendingSnapshots;
  if (!pending) return;
  state.pendingSnapshots = undefined;
  try {
    yield pending.task;
  } catch {
    // A faulted task is read by collect() below, like a completed one.
  }
  pending.collect(state, vm);
}

function settle(task: Task, output: () => CreateDiskSnapshotsOutput) {
  return (state: VmBackupState, vm: InspectedVm): void => {
    if (task.isFaulted) {
      failAll(state, vm, task.result instanceof Error ? task.result.message : String(task.result));
      return;
    }
    const { results, thaw } = output();
    state.snapshotResults = results;
    state.thawSentWithSnapshots = thaw?.sent === true;
    if (thaw && !thaw.sent)
      state.warnings.push(`the snapshot activity could not send the thaw (${thaw.reason}); sent again`);
    state.mark('snapshotsDone');
    state.evidence.snapshots = state.snapshotResults.map((r) => ({
      disk: r.disk,
      ok: r.ok,
      ...(r.error ? { error: r.error } : {}),
    }));
  };
}

/** The thaw the snapshot activity sends the moment the last operation settled: the guest waits for nothing else. */
function thawWithSnapshots(state: VmBackupState, vm: InspectedVm) {
  const { context, input } = state;
  return {
    vmId: input.vmId,
    instanceId: context.df.instanceId,
    commandId: context.df.newGuid(`${context.df.instanceId}/thaw-with-snapshots`),
    ttlSeconds: commandTtlSeconds(thawWaitSeconds(input.plan, vm.os)),
  };
}

function failAll(state: VmBackupState, vm: InspectedVm, error: string): void {
  state.evidence.snapshots = vm.disks.map((d) => ({ disk: d.name, ok: false, error }));
}

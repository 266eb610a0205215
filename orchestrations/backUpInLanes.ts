import type { OrchestrationContext, Task } from 'durable-functions';

import type { RunTarget } from '../activities/resolveRunTargets.contract.js';
import {
  cancelRunDispatchContract,
  closeRunDispatchContract,
  openRunDispatchContract,
} from '../activities/runDispatch.contract.js';
import { NOT_STARTED_REASON } from '../shared/results/verdict.js';
import type { BackupLaneInput, BackupRunInput } from '../shared/runs/runInputs.js';
import { backupLaneInstanceId, crashedVm, type LaneResult } from './backupLane.js';
import { callActivity } from './callActivity.js';
import { retryPolicies } from './retryPolicies.js';
import type { VmOutcome } from './VmBackupState.js';

/**
 * The sliding window: `maxParallelVms` lanes, each starting with one VM and taking the next from the run's dispatch
 * whenever its VM is done. Raced once, as a whole, with the cancel; on a cancel the dispatch hands out nothing more
 * and the VMs in flight (which got the cancel from the API) thaw, record themselves and end.
 */
export function* backUpInLanes(
  context: OrchestrationContext,
  input: BackupRunInput,
  targets: readonly RunTarget[],
  cancel: Task,
): Generator<Task, { outcomes: VmOutcome[]; canceled: boolean; notStarted: { target: RunTarget; reason: string }[] }> {
  if (targets.length === 0) return { outcomes: [], canceled: false, notStarted: [] };
  const { runId } = input;
  const laneCount = Math.min(input.maxParallelVms, targets.length);
  yield* callActivity(
    context,
    openRunDispatchContract,
    { runId, targets: [...targets], handedOut: laneCount },
    retryPolicies.storage,
  );
  context.df.setCustomStatus({ phase: 'backing-up', runId, total: targets.length, lanes: laneCount });
  const lanes = targets.slice(0, laneCount).map((first, lane) => {
    const laneInput: BackupLaneInput = { runId, lane, first, plan: input.plan };
    return context.df.callSubOrchestrator('backupLane', laneInput, backupLaneInstanceId(runId, lane));
  });
  const all = context.df.Task.all(lanes);
  let canceled = false;
  try {
    const winner = (yield context.df.Task.any([all, cancel])) as Task;
    if (winner === cancel) {
      canceled = true;
      yield* callActivity(context, cancelRunDispatchContract, { runId }, retryPolicies.storage);
      yield all;
    }
  } catch {
    // A failed lane is read below from its own task.
  }
  const { notHandedOut } = yield* callActivity(context, closeRunDispatchContract, { runId }, retryPolicies.storage);
  const never = new Set(notHandedOut);

  const outcomes: VmOutcome[] = [];
  const stopped: string[] = [];
  for (const lane of lanes) {
    if (lane.isFaulted) stopped.push(`a lane failed: ${lane.result instanceof Error ? lane.result.message : ''}`);
    else {
      const result = lane.result as LaneResult;
      outcomes.push(...result.outcomes);
      if (result.stopped) stopped.push(result.stopped);
    }
  }
  const seen = new Set(outcomes.map((o) => o.vmId));
  for (const target of targets.filter((_, index) => !never.has(index)))
    if (!seen.has(target.vmId)) outcomes.push(crashedVm(target, new Error(stopped.join('; ') || 'its lane ended')));
  const reason = canceled ? NOT_STARTED_REASON : `Failed: never started, because ${stopped.join('; ')}.`;
  const notStarted = targets.filter((_, index) => never.has(index)).map((target) => ({ target, reason }));
  return { outcomes, canceled, notStarted };
}

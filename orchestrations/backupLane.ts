import type { OrchestrationContext, Task } from 'durable-functions';
import * as df from 'durable-functions';

import type { HandOff } from '../activities/finishVm.contract.js';
import { takeNextTargetContract } from '../activities/runDispatch.contract.js';
import { BackupLaneInput, type BackupVmInput, type RunTarget } from '../shared/runs/runInputs.js';
import { callActivity } from './callActivity.js';
import { retryPolicies } from './retryPolicies.js';
import type { VmOutcome } from './VmBackupState.js';

export interface LaneResult {
  outcomes: VmOutcome[];
  /** Why the lane stopped taking VMs before the run's dispatch ran dry, if it did. */
  stopped?: string;
}

/** The instance of a run's lane: beside its VMs' instances, never under their prefix (`<runId>--`). */
export function backupLaneInstanceId(runId: string, lane: number): string {
  return `${runId}-lane-${lane}`;
}

/**
 * One of a run's `maxParallelVms` lanes: backs up its first VM, then takes the run's next VM from the dispatch as soon
 * as the previous one is done, until none is left or the run is canceled. The lanes together are the run's sliding
 * window: a VM starts the moment another ends, and no task is ever raced twice (which durable-functions would
 * schedule a second time).
 */
export function* backupLane(context: OrchestrationContext): Generator<Task, LaneResult, unknown> {
  const input = BackupLaneInput.parse(context.df.getInput());
  const outcomes: VmOutcome[] = [];
  let target: RunTarget | undefined = input.first;
  for (let seq = 0; target; seq++) {
    const laneTake = { lane: input.lane, seq };
    const vmInput: BackupVmInput = { runId: input.runId, vmId: target.vmId, plan: input.plan, laneTake };
    let handOff: HandOff | undefined;
    try {
      const { handOff: next, ...outcome } = (yield context.df.callSubOrchestrator(
        'backupVm',
        vmInput,
        target.instanceId,
      )) as VmOutcome;
      outcomes.push(outcome);
      handOff = next;
    } catch (error: unknown) {
      outcomes.push(crashedVm(target, error));
    }
    context.df.setCustomStatus({ runId: input.runId, lane: input.lane, done: outcomes.length });
    if (handOff) {
      target = handOff.next;
      continue;
    }
    try {
      const next = yield* callActivity(
        context,
        takeNextTargetContract,
        { runId: input.runId, ...laneTake },
        retryPolicies.storage,
      );
      target = next.target;
    } catch (error: unknown) {
      return { outcomes, stopped: `the lane could not take its next VM: ${messageOf(error)}` };
    }
  }
  return { outcomes };
}

/** The outcome of a VM whose backupVm orchestration itself failed (it records nothing then). */
export function crashedVm(target: RunTarget, error: unknown): VmOutcome {
  return {
    vmId: target.vmId,
    vmName: target.name,
    consistency: 'failed',
    expected: 'crash-consistent',
    reason: `Failed: the VM's backup orchestration failed: ${messageOf(error).slice(0, 300)}`,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

df.app.orchestration('backupLane', backupLane);
